"""The case export's columns, registered with the CRM's export machinery (CSV and Excel)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm.selectors.exports import COLUMNS, choice_label, iso_date, plain, related_name, user_name
from crm.service.models import CaseStatus, Channel, Priority

COLUMNS["case"] = [
    plain(_("Number"), "number"),
    plain(_("Subject"), "subject"),
    choice_label(_("Status"), "status", CaseStatus),
    choice_label(_("Priority"), "priority", Priority),
    choice_label(_("Channel"), "channel", Channel),
    related_name(_("Category"), "category__name"),
    related_name(_("Queue"), "queue__name"),
    user_name(_("Assignee"), "assignee"),
    related_name(_("Contact"), "contact__full_name"),
    related_name(_("Company"), "company__name"),
    iso_date(_("Opened"), "created_at"),
    iso_date(_("First response"), "first_responded_at"),
    iso_date(_("First response due"), "first_response_due_at"),
    iso_date(_("Resolution due"), "resolution_due_at"),
    iso_date(_("Resolved"), "resolved_at"),
    plain(_("Satisfaction"), "csat_score"),
]
