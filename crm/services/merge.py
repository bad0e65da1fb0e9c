"""Merging duplicates: two contacts or two companies become one, and nothing is lost.

The surviving record (``primary``) keeps its own values; empty fields are filled from the
duplicate; other email addresses and phone numbers are kept as extras. Activities, deals,
company roles, tags, custom values, lead links and the audit history move to the survivor.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from crm.errors import CrmError
from crm.models import (
    Activity,
    AuditAction,
    AuditEntry,
    Company,
    Contact,
    ContactCompany,
    Deal,
    DealContact,
    Lead,
    ObjectType,
)
from crm.services.audit import audit_record, changes_between, snapshot
from crm.services.common import ensure_can_write
from crm.services.search import search_columns_set
from tenants.users.models import User

CONTACT_FILL_FIELDS = (
    "first_name", "title", "email", "phone", "mobile", "address", "city", "country", "birthday",
)  # fmt: skip
COMPANY_FILL_FIELDS = ("domain", "industry", "size", "address", "city", "country", "phone")


def _fill_blanks(primary: Any, duplicate: Any, fields: tuple[str, ...]) -> None:
    for name in fields:
        if getattr(primary, name) in ("", None) and getattr(duplicate, name) not in ("", None):
            setattr(primary, name, getattr(duplicate, name))


def _merged_custom(primary: dict[str, Any], duplicate: dict[str, Any]) -> dict[str, Any]:
    merged = dict(primary)
    for key, value in duplicate.items():
        if merged.get(key) in (None, "", []):
            merged[key] = value
        elif isinstance(merged[key], list) and isinstance(value, list):
            merged[key] = merged[key] + [v for v in value if v not in merged[key]]
    return merged


def _extras(existing: list[str], *candidates: str, exclude: tuple[str, ...]) -> list[str]:
    result = list(existing)
    for value in candidates:
        if value and value not in result and value not in exclude:
            result.append(value)
    return result


def _move_history(object_type: ObjectType, duplicate_id: int, primary_id: int) -> None:
    AuditEntry.objects.filter(object_type=object_type, object_id=duplicate_id).update(
        object_id=primary_id
    )


@transaction.atomic
def contact_merge(*, primary: Contact, duplicate: Contact, by: User) -> Contact:
    """Fold ``duplicate`` into ``primary`` and delete it; returns the survivor."""
    ensure_can_write(by)
    if primary.pk == duplicate.pk:
        raise CrmError(_("Choose two different contacts to merge."))
    primary = Contact.objects.select_for_update().get(pk=primary.pk)
    duplicate = Contact.objects.select_for_update().get(pk=duplicate.pk)
    fields = (*CONTACT_FILL_FIELDS, "extra_emails", "extra_phones", "custom")
    before = snapshot(primary, fields)
    _fill_blanks(primary, duplicate, CONTACT_FILL_FIELDS)
    primary.extra_emails = _extras(
        primary.extra_emails, duplicate.email, *duplicate.extra_emails, exclude=(primary.email,)
    )
    primary.extra_phones = _extras(
        primary.extra_phones,
        duplicate.phone,
        duplicate.mobile,
        *duplicate.extra_phones,
        exclude=(primary.phone, primary.mobile),
    )
    primary.email_opt_out = primary.email_opt_out or duplicate.email_opt_out
    primary.phone_opt_out = primary.phone_opt_out or duplicate.phone_opt_out
    primary.custom = _merged_custom(primary.custom, duplicate.custom)
    search_columns_set(primary)
    primary.save()

    Activity.objects.filter(contact=duplicate).update(contact=primary)
    linked_deals = set(
        DealContact.objects.filter(contact=primary).values_list("deal_id", flat=True)
    )
    DealContact.objects.filter(contact=duplicate).exclude(deal_id__in=linked_deals).update(
        contact=primary
    )
    roles = set(ContactCompany.objects.filter(contact=primary).values_list("company_id", "role"))
    for link in ContactCompany.objects.filter(contact=duplicate):
        if (link.company_id, link.role) not in roles:
            link.contact = primary
            link.save(update_fields=["contact"])
    primary.tags.add(*duplicate.tags.all())
    Lead.objects.filter(converted_contact=duplicate).update(converted_contact=primary)
    _move_history(ObjectType.CONTACT, duplicate.pk, primary.pk)

    changes = changes_between(before, snapshot(primary, fields))
    changes["merged"] = [str(duplicate), None]
    audit_record(
        actor=by,
        action=AuditAction.MERGE,
        object_type=ObjectType.CONTACT,
        object_id=int(primary.pk),
        object_repr=str(primary),
        changes=changes,
    )
    duplicate.delete()
    return primary


@transaction.atomic
def company_merge(*, primary: Company, duplicate: Company, by: User) -> Company:
    """Fold ``duplicate`` into ``primary`` and delete it; returns the survivor."""
    ensure_can_write(by)
    if primary.pk == duplicate.pk:
        raise CrmError(_("Choose two different companies to merge."))
    primary = Company.objects.select_for_update().get(pk=primary.pk)
    duplicate = Company.objects.select_for_update().get(pk=duplicate.pk)
    fields = (*COMPANY_FILL_FIELDS, "custom")
    before = snapshot(primary, fields)
    _fill_blanks(primary, duplicate, COMPANY_FILL_FIELDS)
    primary.custom = _merged_custom(primary.custom, duplicate.custom)
    search_columns_set(primary)
    primary.save()

    Activity.objects.filter(company=duplicate).update(company=primary)
    Deal.objects.filter(company=duplicate).update(company=primary)
    roles = set(ContactCompany.objects.filter(company=primary).values_list("contact_id", "role"))
    for link in ContactCompany.objects.filter(company=duplicate):
        if (link.contact_id, link.role) not in roles:
            link.company = primary
            link.save(update_fields=["company"])
    primary.tags.add(*duplicate.tags.all())
    Lead.objects.filter(converted_company=duplicate).update(converted_company=primary)
    _move_history(ObjectType.COMPANY, duplicate.pk, primary.pk)

    changes = changes_between(before, snapshot(primary, fields))
    changes["merged"] = [str(duplicate), None]
    audit_record(
        actor=by,
        action=AuditAction.MERGE,
        object_type=ObjectType.COMPANY,
        object_id=int(primary.pk),
        object_repr=str(primary),
        changes=changes,
    )
    duplicate.delete()
    return primary
