"""Reassigning a leaver's work and bulk actions on selected records."""

from __future__ import annotations

import pytest

from crm import services
from crm.errors import CrmError
from crm.models import Activity, AuditEntry, Company, Contact, Deal, Lead, ObjectType
from tests.crm.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
    TagFactory,
)


def test_reassign_moves_every_record_to_the_new_owner(admin, rep, other_rep) -> None:
    CompanyFactory.create(owner=rep)
    ContactFactory.create(owner=rep)
    LeadFactory.create(owner=rep)
    DealFactory.create(owner=rep)
    result = services.records_reassign(from_user=rep, to_user=other_rep, by=admin)
    assert (result.companies, result.contacts, result.leads, result.deals) == (1, 1, 1, 1)
    for model in (Company, Contact, Lead, Deal):
        assert not model.objects.filter(owner=rep).exists()


def test_reassign_moves_open_activities_but_keeps_done_ones(admin, rep, other_rep) -> None:
    from django.utils import timezone

    open_call = ActivityFactory.create(owner=rep)
    done_call = ActivityFactory.create(owner=rep, done_at=timezone.now())
    services.records_reassign(from_user=rep, to_user=other_rep, by=admin)
    assert Activity.objects.get(pk=open_call.pk).owner == other_rep
    assert Activity.objects.get(pk=done_call.pk).owner == rep


def test_only_admins_reassign(manager, rep, other_rep) -> None:
    with pytest.raises(CrmError):
        services.records_reassign(from_user=rep, to_user=other_rep, by=manager)


def test_bulk_assign_owner_audits_each_record(rep, other_rep) -> None:
    contacts = [ContactFactory.create(owner=rep) for _ in range(3)]
    changed = services.records_assign_owner(
        queryset=Contact.objects.filter(pk__in=[c.pk for c in contacts]),
        object_type=ObjectType.CONTACT,
        owner=other_rep,
        by=rep,
    )
    assert changed == 3
    assert Contact.objects.filter(owner=other_rep).count() == 3
    assert (
        AuditEntry.objects.filter(object_type=ObjectType.CONTACT, changes__has_key="owner").count()
        == 3
    )


def test_bulk_add_tag_is_idempotent(rep) -> None:
    tag = TagFactory.create()
    company = CompanyFactory.create(owner=rep)
    company.tags.add(tag)
    queryset = Company.objects.filter(pk=company.pk)
    services.records_add_tag(queryset=queryset, object_type=ObjectType.COMPANY, tag=tag, by=rep)
    assert list(company.tags.all()) == [tag]


def test_bulk_delete_removes_the_selection_only(rep) -> None:
    keep, drop = LeadFactory.create(owner=rep), LeadFactory.create(owner=rep)
    services.records_delete(
        queryset=Lead.objects.filter(pk=drop.pk), object_type=ObjectType.LEAD, by=rep
    )
    assert list(Lead.objects.filter(pk__in=[keep.pk, drop.pk])) == [keep]
