"""The campaign list's export columns, registered with the CRM's export machinery (CSV/Excel)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm.marketing.models import CampaignStatus
from crm.selectors.exports import COLUMNS, choice_label, iso_date, plain, related_name, user_name

COLUMNS["campaign"] = [
    plain(_("ID"), "id"),
    plain(_("Name"), "name"),
    choice_label(_("Status"), "status", CampaignStatus),
    related_name(_("Segment or list"), "segment__name"),
    user_name(_("Sender"), "sender"),
    iso_date(_("Send at"), "scheduled_at"),
    iso_date(_("Started"), "started_at"),
    iso_date(_("Finished"), "finished_at"),
    plain(_("Recipients"), "recipient_count"),
    plain(_("Sent"), "sent_count"),
    plain(_("Skipped"), "skipped_count"),
    iso_date(_("Created"), "created_at"),
]
