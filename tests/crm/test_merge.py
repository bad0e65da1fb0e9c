"""Merging duplicates keeps every activity, deal, note, tag, company link and value of both."""

from __future__ import annotations

import pytest

from crm import services
from crm.errors import CrmError
from crm.models import AuditAction, AuditEntry, Company, Contact, ContactCompany
from tests.crm.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    CustomFieldFactory,
    DealFactory,
    TagFactory,
)


@pytest.fixture
def pair(rep):
    primary = ContactFactory.create(owner=rep, email="ann@a.example", phone="", title="")
    duplicate = ContactFactory.create(
        owner=rep, email="ann@b.example", phone="+1 555", title="CFO", custom={"tier": "gold"}
    )
    return primary, duplicate


def test_contact_merge_moves_activities_and_notes(rep, pair) -> None:
    primary, duplicate = pair
    ActivityFactory.create(owner=rep, contact=duplicate, kind="note", subject="Likes golf")
    services.contact_merge(primary=primary, duplicate=duplicate, by=rep)
    assert list(primary.activities.values_list("subject", flat=True)) == ["Likes golf"]


def test_contact_merge_moves_deals(rep, pair) -> None:
    primary, duplicate = pair
    deal = DealFactory.create(owner=rep)
    deal.contacts.add(duplicate)
    services.contact_merge(primary=primary, duplicate=duplicate, by=rep)
    assert list(deal.contacts.all()) == [primary]


def test_contact_merge_keeps_both_tag_sets(rep, pair) -> None:
    primary, duplicate = pair
    primary.tags.add(TagFactory.create(name="a"))
    duplicate.tags.add(TagFactory.create(name="b"))
    services.contact_merge(primary=primary, duplicate=duplicate, by=rep)
    assert sorted(primary.tags.values_list("name", flat=True)) == ["a", "b"]


def test_contact_merge_keeps_company_roles(rep, pair) -> None:
    primary, duplicate = pair
    company = CompanyFactory.create(owner=rep)
    ContactCompany.objects.create(contact=duplicate, company=company, role="accountant")
    services.contact_merge(primary=primary, duplicate=duplicate, by=rep)
    assert ContactCompany.objects.filter(
        contact=primary, company=company, role="accountant"
    ).exists()


def test_contact_merge_fills_blanks_and_keeps_the_other_email(rep, pair) -> None:
    CustomFieldFactory.create(object_type="contact", key="tier", label="Tier")
    primary, duplicate = pair
    merged = services.contact_merge(primary=primary, duplicate=duplicate, by=rep)
    assert merged.email == "ann@a.example"
    assert merged.extra_emails == ["ann@b.example"]
    assert merged.title == "CFO"
    assert merged.phone == "+1 555"
    assert merged.custom == {"tier": "gold"}


def test_contact_merge_deletes_the_duplicate_and_moves_its_history(rep, pair) -> None:
    primary, duplicate = pair
    duplicate_id = duplicate.pk
    services.contact_update(contact=duplicate, by=rep, fields={"city": "Oslo"})
    services.contact_merge(primary=primary, duplicate=duplicate, by=rep)
    assert not Contact.objects.filter(pk=duplicate_id).exists()
    history = AuditEntry.objects.filter(object_type="contact", object_id=primary.pk)
    assert history.filter(changes__city=["", "Oslo"]).exists()
    assert history.filter(action=AuditAction.MERGE).exists()


def test_merging_a_contact_with_itself_is_refused(rep, pair) -> None:
    with pytest.raises(CrmError):
        services.contact_merge(primary=pair[0], duplicate=pair[0], by=rep)


def test_company_merge_moves_contacts_deals_activities_and_tags(rep) -> None:
    primary = CompanyFactory.create(owner=rep, industry="")
    duplicate = CompanyFactory.create(owner=rep, industry="Retail")
    person = ContactFactory.create(owner=rep)
    ContactCompany.objects.create(contact=person, company=duplicate)
    deal = DealFactory.create(owner=rep, company=duplicate)
    call = ActivityFactory.create(owner=rep, company=duplicate)
    duplicate.tags.add(TagFactory.create(name="key-account"))
    merged = services.company_merge(primary=primary, duplicate=duplicate, by=rep)
    deal.refresh_from_db()
    call.refresh_from_db()
    assert list(merged.contacts.all()) == [person]
    assert deal.company == merged
    assert call.company == merged
    assert list(merged.tags.values_list("name", flat=True)) == ["key-account"]
    assert merged.industry == "Retail"
    assert not Company.objects.filter(pk=duplicate.pk).exists()
