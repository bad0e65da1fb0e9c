"""Companies, contacts and leads: create, update, delete, company roles."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.phones import phone_normalise
from crm.automation.hooks import records_created
from crm.errors import CrmError
from crm.models import AuditAction, Company, Contact, ContactCompany, Lead, ObjectType, Tag
from crm.models.records import PERIOD_OUT_OF_ORDER, period_in_order
from crm.names import compose_full_name
from crm.services.audit import audit_many, audit_record
from crm.services.common import (
    ensure_can_write,
    record_build,
    record_create,
    record_delete,
    record_update,
)
from crm.services.copying import rows_copy, values_copy
from tenants.users.models import User

COMPANY_FIELDS = (
    "name", "domain", "industry", "size", "address", "city", "country", "phone", "owner", "custom",
)  # fmt: skip
CONTACT_FIELDS = (
    "full_name", "first_name", "last_name", "title", "email", "extra_emails", "phone", "mobile",
    "extra_phones", "address", "city", "country", "birthday", "email_opt_out", "phone_opt_out",
    "owner", "custom",
)  # fmt: skip
LEAD_FIELDS = ("name", "company_name", "email", "phone", "source", "status", "owner", "custom")


def _named(fields: Mapping[str, Any], current: Contact | None = None) -> dict[str, Any]:
    """The contact's name as written; composed from its parts when only they are given."""
    values = dict(fields)
    if "full_name" in values or "first_name" in values or "last_name" in values:
        full = str(values.get("full_name") or "").strip()
        if not full:
            given = values.get("first_name", current.first_name if current else "")
            family = values.get("last_name", current.last_name if current else "")
            full = compose_full_name(str(given or ""), str(family or ""))
        if full or "full_name" in values:
            values["full_name"] = full
    return values


def _phones(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Phone numbers in E.164 with the workspace's country as the default region; a number
    that is not one is refused with a message naming the field."""
    values = dict(fields)
    errors: dict[str, list[str]] = {}
    for name in ("phone", "mobile"):
        if values.get(name):
            try:
                values[name] = phone_normalise(str(values[name]))
            except ValidationError as error:
                errors[name] = error.messages
    if values.get("extra_phones"):
        normalised = []
        for number in values["extra_phones"]:
            try:
                normalised.append(phone_normalise(str(number)))
            except ValidationError as error:
                errors.setdefault("extra_phones", []).extend(error.messages)
        values["extra_phones"] = [number for number in normalised if number]
    if errors:
        raise ValidationError(errors)
    return values


def _normalised_domain(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Domains are stored bare (``acme.com``), whatever the user pasted."""
    values = dict(fields)
    domain = values.get("domain")
    if domain:
        domain = domain.strip().lower().removeprefix("https://").removeprefix("http://")
        values["domain"] = domain.removeprefix("www.").split("/")[0]
    return values


def _normalised_email(fields: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(fields)
    if values.get("email"):
        values["email"] = values["email"].strip().lower()
    return values


@transaction.atomic
def company_create(*, by: User, fields: Mapping[str, Any], tags: Iterable[Tag] = ()) -> Company:
    return record_create(
        Company,
        object_type=ObjectType.COMPANY,
        allowed=COMPANY_FIELDS,
        by=by,
        fields=_phones(_normalised_domain({"owner": by, **fields})),
        tags=tags,
    )


def company_build(*, by: User, fields: Mapping[str, Any]) -> Company:
    """What :func:`company_create` would insert, validated (raises ``ValidationError``),
    unsaved: an import holds it and inserts it with others (:func:`companies_insert`)."""
    return record_build(
        Company,
        object_type=ObjectType.COMPANY,
        allowed=COMPANY_FIELDS,
        by=by,
        fields=_phones(_normalised_domain({"owner": by, **fields})),
    )


@transaction.atomic
def companies_insert(*, by: User, companies: Sequence[Company]) -> list[Company]:
    """Insert built companies with one ``COPY`` (imports): the same rows, audit entries and
    workflow events as :func:`company_create` writes one by one."""
    ensure_can_write(by)
    inserted = rows_copy(Company, list(companies))
    audit_many(
        actor=by, action=AuditAction.CREATE, object_type=ObjectType.COMPANY, records=inserted
    )
    records_created(object_type=str(ObjectType.COMPANY), object_ids=[c.pk for c in inserted])
    return inserted


@transaction.atomic
def company_update(
    *, company: Company, by: User, fields: Mapping[str, Any], tags: Iterable[Tag] | None = None
) -> Company:
    return record_update(
        company,
        object_type=ObjectType.COMPANY,
        allowed=COMPANY_FIELDS,
        by=by,
        fields=_phones(_normalised_domain(fields)),
        tags=tags,
    )


@transaction.atomic
def company_delete(*, company: Company, by: User) -> None:
    record_delete(company, object_type=ObjectType.COMPANY, by=by)


@transaction.atomic
def contact_create(
    *,
    by: User,
    fields: Mapping[str, Any],
    tags: Iterable[Tag] = (),
    company: Company | None = None,
    company_role: str = "employee",
) -> Contact:
    """Create a contact, optionally working at ``company`` in ``company_role``."""
    contact = record_create(
        Contact,
        object_type=ObjectType.CONTACT,
        allowed=CONTACT_FIELDS,
        by=by,
        fields=_phones(_normalised_email(_named({"owner": by, **fields}))),
        tags=tags,
    )
    if company is not None:
        ContactCompany.objects.create(contact=contact, company=company, role=company_role)
    return contact


@dataclass
class ContactDraft:
    """A validated contact not yet inserted, and what goes with it (:func:`contacts_insert`)."""

    contact: Contact
    tags: list[Tag] = field(default_factory=list)
    company: Company | None = None
    company_role: str = "employee"


def contact_build(
    *,
    by: User,
    fields: Mapping[str, Any],
    tags: Iterable[Tag] = (),
    company: Company | None = None,
    company_role: str = "employee",
) -> ContactDraft:
    """What :func:`contact_create` would insert, validated (raises ``ValidationError``), unsaved."""
    contact = record_build(
        Contact,
        object_type=ObjectType.CONTACT,
        allowed=CONTACT_FIELDS,
        by=by,
        fields=_phones(_normalised_email(_named({"owner": by, **fields}))),
    )
    return ContactDraft(contact, list(tags), company, company_role)


@transaction.atomic
def contacts_insert(*, by: User, drafts: Sequence[ContactDraft]) -> list[Contact]:
    """Insert built contacts in a few statements (imports): the same rows, tags, company links,
    audit entries and workflow events as :func:`contact_create` writes one by one (each table
    with one ``COPY``). The drafts' companies must be inserted already."""
    ensure_can_write(by)
    contacts = rows_copy(Contact, [draft.contact for draft in drafts])
    values_copy(
        Contact.tags.through,
        [{"contact_id": d.contact.pk, "tag_id": t.pk} for d in drafts for t in d.tags],
    )
    values_copy(
        ContactCompany,
        [
            {"contact_id": d.contact.pk, "company_id": d.company.pk, "role": d.company_role}
            for d in drafts
            if d.company is not None
        ],
    )
    audit_many(
        actor=by, action=AuditAction.CREATE, object_type=ObjectType.CONTACT, records=contacts
    )
    records_created(object_type=str(ObjectType.CONTACT), object_ids=[c.pk for c in contacts])
    return contacts


@transaction.atomic
def contact_update(
    *, contact: Contact, by: User, fields: Mapping[str, Any], tags: Iterable[Tag] | None = None
) -> Contact:
    return record_update(
        contact,
        object_type=ObjectType.CONTACT,
        allowed=CONTACT_FIELDS,
        by=by,
        fields=_phones(_normalised_email(_named(fields, contact))),
        tags=tags,
    )


@transaction.atomic
def contact_delete(*, contact: Contact, by: User) -> None:
    record_delete(contact, object_type=ObjectType.CONTACT, by=by)


@transaction.atomic
def contact_company_link(
    *,
    contact: Contact,
    company: Company,
    role: str,
    by: User,
    started_on: datetime.date | None = None,
    ended_on: datetime.date | None = None,
) -> ContactCompany:
    """Record that ``contact`` holds ``role`` at ``company`` (updating the dates if known)."""
    ensure_can_write(by)
    if not period_in_order(started_on, ended_on):
        raise CrmError(str(PERIOD_OUT_OF_ORDER))
    link, _created = ContactCompany.objects.update_or_create(
        contact=contact,
        company=company,
        role=role,
        defaults={"started_on": started_on, "ended_on": ended_on},
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        object_type=ObjectType.CONTACT,
        object_id=int(contact.pk),
        object_repr=str(contact),
        changes={"companies": [None, f"{company} ({link.get_role_display()})"]},
    )
    return link


@transaction.atomic
def contact_company_unlink(*, link: ContactCompany, by: User) -> None:
    ensure_can_write(by)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        object_type=ObjectType.CONTACT,
        object_id=int(link.contact_id),
        object_repr=str(link.contact),
        changes={"companies": [f"{link.company} ({link.get_role_display()})", None]},
    )
    link.delete()


@transaction.atomic
def lead_create(*, by: User, fields: Mapping[str, Any], tags: Iterable[Tag] = ()) -> Lead:
    return record_create(
        Lead,
        object_type=ObjectType.LEAD,
        allowed=LEAD_FIELDS,
        by=by,
        fields=_phones(_normalised_email({"owner": by, **fields})),
        tags=tags,
    )


@transaction.atomic
def lead_update(
    *, lead: Lead, by: User, fields: Mapping[str, Any], tags: Iterable[Tag] | None = None
) -> Lead:
    return record_update(
        lead,
        object_type=ObjectType.LEAD,
        allowed=LEAD_FIELDS,
        by=by,
        fields=_phones(_normalised_email(fields)),
        tags=tags,
    )


@transaction.atomic
def lead_delete(*, lead: Lead, by: User) -> None:
    record_delete(lead, object_type=ObjectType.LEAD, by=by)
