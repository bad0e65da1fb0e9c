"""Companies, contacts and leads: creation, updates with audit, deletion, role checks."""

from __future__ import annotations

import pytest

from crm import services
from crm.errors import CrmError
from crm.models import AuditAction, AuditEntry, Company, Contact, ContactCompany, Lead
from tests.crm.factories import CompanyFactory, ContactFactory, LeadFactory, TagFactory


def test_company_create_stores_the_bare_domain_and_audits(rep) -> None:
    company = services.company_create(
        by=rep, fields={"name": "Acme", "domain": "https://www.Acme.com/about"}
    )
    assert company.domain == "acme.com"
    assert company.owner == rep
    entry = AuditEntry.objects.get(object_type="company", object_id=company.pk)
    assert entry.action == AuditAction.CREATE
    assert entry.actor == rep


def test_contact_create_links_the_company_with_a_role(rep) -> None:
    company = CompanyFactory.create(owner=rep)
    contact = services.contact_create(
        by=rep,
        fields={"first_name": "Ann", "last_name": "Lee", "email": "ANN@x.example"},
        company=company,
        company_role="decision_maker",
    )
    link = ContactCompany.objects.get(contact=contact)
    assert (link.company, link.role) == (company, "decision_maker")
    assert contact.email == "ann@x.example"


def test_contact_full_name_is_generated_by_the_database(rep) -> None:
    contact = services.contact_create(by=rep, fields={"first_name": "Ann", "last_name": "Lee"})
    contact.refresh_from_db()
    assert contact.full_name == "Ann Lee"


def test_update_audits_old_and_new_values(rep) -> None:
    contact = ContactFactory.create(owner=rep, title="Buyer")
    services.contact_update(contact=contact, by=rep, fields={"title": "Head of buying"})
    entry = AuditEntry.objects.get(object_id=contact.pk, action=AuditAction.UPDATE)
    assert entry.changes == {"title": ["Buyer", "Head of buying"]}


def test_update_without_changes_writes_no_audit_entry(rep) -> None:
    contact = ContactFactory.create(owner=rep, title="Buyer")
    services.contact_update(contact=contact, by=rep, fields={"title": "Buyer"})
    assert not AuditEntry.objects.filter(object_id=contact.pk, action=AuditAction.UPDATE).exists()


def test_update_audits_tag_changes(rep) -> None:
    company = CompanyFactory.create(owner=rep)
    vip = TagFactory.create(name="vip")
    services.company_update(company=company, by=rep, fields={}, tags=[vip])
    entry = AuditEntry.objects.get(object_id=company.pk, action=AuditAction.UPDATE)
    assert entry.changes == {"tags": [[], ["vip"]]}


def test_read_only_user_cannot_create(reader) -> None:
    with pytest.raises(CrmError):
        services.company_create(by=reader, fields={"name": "Nope"})
    assert not Company.objects.filter(name="Nope").exists()


def test_delete_keeps_an_audit_entry_with_the_name(rep) -> None:
    lead = LeadFactory.create(owner=rep, name="Gone Person")
    lead_id = lead.pk
    services.lead_delete(lead=lead, by=rep)
    assert not Lead.objects.filter(pk=lead_id).exists()
    entry = AuditEntry.objects.get(object_id=lead_id, action=AuditAction.DELETE)
    assert entry.object_repr == "Gone Person"


def test_invalid_email_is_refused_by_model_validation(rep) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.contact_create(by=rep, fields={"last_name": "X", "email": "not-an-email"})
    assert not Contact.objects.filter(last_name="X").exists()


def test_unknown_fields_are_refused(rep) -> None:
    with pytest.raises(CrmError):
        services.lead_create(by=rep, fields={"name": "L", "is_superuser": True})
