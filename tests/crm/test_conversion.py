"""Lead conversion: one step to contact, company and deal, keeping the lead's history."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm import services
from crm.errors import CrmError
from crm.models import Activity, AuditEntry, ContactCompany, LeadStatus
from crm.selectors import record_timeline
from tests.crm.factories import ActivityFactory, CompanyFactory, LeadFactory, TagFactory


def test_conversion_creates_contact_company_and_deal(rep) -> None:
    lead = LeadFactory.create(
        owner=rep, name="Jane Q Doe", company_name="Doe Corp", email="j@doe.example"
    )
    result = services.lead_convert(lead=lead, by=rep, deal_amount=Decimal(900))
    assert str(result.contact) == "Jane Q Doe"  # as written; no split forced
    assert result.contact.email == "j@doe.example"
    assert result.company is not None
    assert result.company.name == "Doe Corp"
    assert result.deal is not None
    assert result.deal.amount == Decimal(900)
    assert ContactCompany.objects.filter(contact=result.contact, company=result.company).exists()
    assert list(result.deal.contacts.all()) == [result.contact]


def test_conversion_marks_the_lead_converted_and_links_the_new_records(rep) -> None:
    lead = LeadFactory.create(owner=rep)
    result = services.lead_convert(lead=lead, by=rep)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED
    assert lead.converted_contact == result.contact
    assert lead.converted_deal == result.deal


def test_conversion_moves_the_leads_activities_to_the_new_records(rep) -> None:
    lead = LeadFactory.create(owner=rep)
    call = ActivityFactory.create(owner=rep, lead=lead)
    result = services.lead_convert(lead=lead, by=rep)
    call.refresh_from_db()
    assert (call.contact, call.company, call.deal) == (result.contact, result.company, result.deal)
    assert call.lead == lead


def test_converted_contact_timeline_shows_the_leads_history(rep) -> None:
    lead = LeadFactory.create(owner=rep)
    services.lead_update(lead=lead, by=rep, fields={"phone": "+44 20 7946 0958"})
    result = services.lead_convert(lead=lead, by=rep)
    histories = [i.obj for i in record_timeline(record=result.contact) if i.kind == "audit"]
    assert any(e.changes.get("phone") == ["", "+442079460958"] for e in histories)


def test_conversion_copies_tags(rep) -> None:
    lead = LeadFactory.create(owner=rep)
    lead.tags.add(TagFactory.create(name="fair-2025"))
    result = services.lead_convert(lead=lead, by=rep)
    assert [t.name for t in result.contact.tags.all()] == ["fair-2025"]


def test_conversion_into_an_existing_company_creates_no_new_one(rep) -> None:
    existing = CompanyFactory.create(owner=rep)
    lead = LeadFactory.create(owner=rep, company_name="Whatever")
    result = services.lead_convert(lead=lead, by=rep, company=existing, create_deal=False)
    assert result.company == existing
    assert result.deal is None


def test_a_lead_is_converted_only_once(rep) -> None:
    lead = LeadFactory.create(owner=rep)
    services.lead_convert(lead=lead, by=rep)
    with pytest.raises(CrmError):
        services.lead_convert(lead=lead, by=rep)


def test_failed_conversion_leaves_nothing_behind(rep, monkeypatch) -> None:
    lead = LeadFactory.create(owner=rep, company_name="Half Made Ltd")
    ActivityFactory.create(owner=rep, lead=lead)

    def broken(**kwargs):
        raise CrmError("boom")

    monkeypatch.setattr("crm.services.conversion.deal_create", broken)
    with pytest.raises(CrmError):
        services.lead_convert(lead=lead, by=rep)
    lead.refresh_from_db()
    assert lead.status != LeadStatus.CONVERTED
    assert not AuditEntry.objects.filter(object_repr="Half Made Ltd").exists()
    assert Activity.objects.get(lead=lead).contact is None
