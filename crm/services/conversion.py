"""Lead conversion: one step from a prospect to a contact, a company and a deal."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import CrmError
from crm.models import (
    Activity,
    AuditAction,
    AuditEntry,
    Company,
    Contact,
    ContactCompany,
    CustomFieldDefinition,
    Deal,
    Lead,
    LeadStatus,
    ObjectType,
    Pipeline,
)
from crm.services.audit import audit_record
from crm.services.common import ensure_can_write
from crm.services.deals import deal_create
from crm.services.records import company_create, contact_create
from tenants.users.models import User


@dataclass(frozen=True)
class Conversion:
    contact: Contact
    company: Company | None
    deal: Deal | None


def _shared_custom(lead: Lead, object_type: ObjectType) -> dict[str, object]:
    """The lead's custom values for keys the target record type also defines."""
    keys = set(
        CustomFieldDefinition.objects.filter(object_type=object_type).values_list("key", flat=True)
    )
    return {key: value for key, value in lead.custom.items() if key in keys and value is not None}


@transaction.atomic
def lead_convert(
    *,
    lead: Lead,
    by: User,
    company: Company | None = None,
    create_deal: bool = True,
    deal_title: str = "",
    deal_amount: Decimal | None = None,
    pipeline: Pipeline | None = None,
) -> Conversion:
    """Turn a lead into a contact, a company (new, or ``company`` if given) and a deal.

    Everything happens in one transaction. The lead's activities are linked to the new records
    (and stay linked to the lead), its tags are copied, and custom values carry over where the
    new record type has a field with the same key. The lead is kept, marked converted, and
    points at what it became.
    """
    ensure_can_write(by)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status == LeadStatus.CONVERTED:
        raise CrmError(_("This lead has already been converted."))
    tags = list(lead.tags.all())
    if company is None and lead.company_name:
        company = company_create(
            by=by,
            fields={
                "name": lead.company_name,
                "owner": lead.owner,
                "custom": _shared_custom(lead, ObjectType.COMPANY),
            },
            tags=tags,
        )
    contact = contact_create(
        by=by,
        fields={
            "full_name": lead.name.strip(),
            "email": lead.email,
            "phone": lead.phone,
            "owner": lead.owner,
            "custom": _shared_custom(lead, ObjectType.CONTACT),
        },
        tags=tags,
        company=company,
    )
    deal = None
    if create_deal:
        deal = deal_create(
            by=by,
            fields={
                "title": deal_title or (lead.company_name or lead.name),
                "company": company,
                "amount": deal_amount or Decimal(0),
                "owner": lead.owner,
                "pipeline": pipeline,
                "custom": _shared_custom(lead, ObjectType.DEAL),
            },
            tags=tags,
            contacts=[contact],
        )
    Activity.objects.filter(lead=lead).update(
        contact=contact, company=company, deal=deal, updated_at=timezone.now()
    )
    lead.status = LeadStatus.CONVERTED
    lead.converted_at = timezone.now()
    lead.converted_contact = contact
    lead.converted_company = company
    lead.converted_deal = deal
    lead.save()
    made = [str(contact), *(str(r) for r in (company, deal) if r is not None)]
    audit_record(
        actor=by,
        action=AuditAction.CONVERT,
        object_type=ObjectType.LEAD,
        object_id=int(lead.pk),
        object_repr=str(lead),
        changes={
            "status": [str(LeadStatus.NEW.label), str(LeadStatus.CONVERTED.label)],
            "into": [None, made],
        },
    )
    # The lead's field history travels to the contact's timeline, marked as the lead's.
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor_id=entry.actor_id,
                action=entry.action,
                object_type=ObjectType.CONTACT,
                object_id=contact.pk,
                object_repr=_("Lead: %(name)s") % {"name": entry.object_repr},
                changes=entry.changes,
                created_at=entry.created_at,
            )
            for entry in AuditEntry.objects.filter(object_type=ObjectType.LEAD, object_id=lead.pk)
        ]
    )
    if (
        company is not None
        and not ContactCompany.objects.filter(contact=contact, company=company).exists()
    ):
        ContactCompany.objects.create(contact=contact, company=company)
    return Conversion(contact=contact, company=company, deal=deal)
