"""What the generic record pages need to know about each record type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crm import forms, services
from crm.models import Activity, Company, Contact, Deal, Lead, ObjectType


@dataclass(frozen=True)
class RecordKind:
    key: str
    url_prefix: str
    model: type[models.Model]
    object_type: ObjectType
    label: Promise
    label_plural: Promise
    icon: str
    nav: str
    form_class: type[Any]
    filter_form_class: type[forms.ListFilterForm]
    related: tuple[str, ...]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    empty_hint: Promise

    @property
    def list_url_name(self) -> str:
        return self.nav

    @property
    def detail_url_name(self) -> str:
        return f"{self.key}_detail"

    def objects(self) -> Any:
        return self.model._default_manager


KINDS: dict[str, RecordKind] = {
    "contact": RecordKind(
        key="contact",
        url_prefix="contacts",
        model=Contact,
        object_type=ObjectType.CONTACT,
        label=_("Contact"),
        label_plural=_("Contacts"),
        icon="ti-address-book",
        nav="contacts",
        form_class=forms.ContactForm,
        filter_form_class=forms.ContactFilterForm,
        related=("owner",),
        create=services.contact_create,
        update=lambda *, record, **kw: services.contact_update(contact=record, **kw),
        delete=lambda *, record, by: services.contact_delete(contact=record, by=by),
        empty_hint=_("Add the people you work with, or convert a lead."),
    ),
    "company": RecordKind(
        key="company",
        url_prefix="companies",
        model=Company,
        object_type=ObjectType.COMPANY,
        label=_("Company"),
        label_plural=_("Companies"),
        icon="ti-building",
        nav="companies",
        form_class=forms.CompanyForm,
        filter_form_class=forms.CompanyFilterForm,
        related=("owner",),
        create=services.company_create,
        update=lambda *, record, **kw: services.company_update(company=record, **kw),
        delete=lambda *, record, by: services.company_delete(company=record, by=by),
        empty_hint=_("Add the organisations you sell to."),
    ),
    "lead": RecordKind(
        key="lead",
        url_prefix="leads",
        model=Lead,
        object_type=ObjectType.LEAD,
        label=_("Lead"),
        label_plural=_("Leads"),
        icon="ti-user-search",
        nav="leads",
        form_class=forms.LeadForm,
        filter_form_class=forms.LeadFilterForm,
        related=("owner",),
        create=services.lead_create,
        update=lambda *, record, **kw: services.lead_update(lead=record, **kw),
        delete=lambda *, record, by: services.lead_delete(lead=record, by=by),
        empty_hint=_("Capture prospects here, then convert the good ones."),
    ),
    "deal": RecordKind(
        key="deal",
        url_prefix="deals",
        model=Deal,
        object_type=ObjectType.DEAL,
        label=_("Deal"),
        label_plural=_("Deals"),
        icon="ti-layout-kanban",
        nav="deals",
        form_class=forms.DealForm,
        filter_form_class=forms.DealFilterForm,
        related=("owner", "stage", "company"),
        create=services.deal_create,
        update=lambda *, record, **kw: services.deal_update(deal=record, **kw),
        delete=lambda *, record, by: services.deal_delete(deal=record, by=by),
        empty_hint=_("Create a deal to start filling your pipeline."),
    ),
    "activity": RecordKind(
        key="activity",
        url_prefix="activities",
        model=Activity,
        object_type=ObjectType.ACTIVITY,
        label=_("Activity"),
        label_plural=_("Activities"),
        icon="ti-calendar-event",
        nav="activities",
        form_class=forms.ActivityForm,
        filter_form_class=forms.ActivityFilterForm,
        related=("owner", "contact", "company", "deal", "lead"),
        create=services.activity_create,
        update=lambda *, record, **kw: services.activity_update(activity=record, **kw),
        delete=lambda *, record, by: services.activity_delete(activity=record, by=by),
        empty_hint=_("Nothing planned. Schedule a call or a meeting."),
    ),
}
