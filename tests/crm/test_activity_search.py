"""Searching lists: every list with a search box searches; activities by subject and notes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from crm.models import Activity
from crm.selectors.search import text_search
from crm.views.kinds import KINDS
from tests.conftest import Workspace
from tests.crm.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
)
from tests.factories import AdminFactory

#: A record of each list, named with ``name`` (the field each list shows as the record).
NAMED: dict[str, Any] = {
    "contact": lambda owner, name: ContactFactory.create(owner=owner, last_name=name),
    "company": lambda owner, name: CompanyFactory.create(owner=owner, name=name),
    "lead": lambda owner, name: LeadFactory.create(owner=owner, name=name),
    "deal": lambda owner, name: DealFactory.create(owner=owner, title=name),
    "activity": lambda owner, name: ActivityFactory.create(owner=owner, subject=name),
}


@pytest.fixture
def planning_crm(planning_workspace: Workspace, db: None) -> Iterator[Workspace]:
    """A test that checks a plan runs in a workspace of its own (see the fixture)."""
    with schema_context(planning_workspace.schema):
        yield planning_workspace


def test_every_list_kind_has_a_named_record_factory_here() -> None:
    """A new list kind gets a search test below (add its factory to ``NAMED``)."""
    assert set(NAMED) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_list_finds_a_record_by_a_word_of_its_name(crm, admin, client_as, kind) -> None:
    """The search box of each list answers, and finds the record by a word of its name."""
    NAMED[kind](admin, "Quarterly Zanzibar review")
    NAMED[kind](admin, "Something else")
    # The deals home is the board; their list lives below it.
    path = "/deals/list/" if kind == "deal" else f"/{KINDS[kind].url_prefix}/"
    response = client_as(admin).get(path, {"q": "zanzibar"})
    assert response.status_code == 200
    assert "Quarterly Zanzibar review" in response.text
    assert "Something else" not in response.text


def _ids(queryset: Any) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_activity_search_finds_words_of_the_notes(crm, admin) -> None:
    """A call is found by what was said: words of its notes, as prefixes."""
    call = ActivityFactory.create(owner=admin, subject="Call Anna", body="Talked about pricing")
    ActivityFactory.create(owner=admin, subject="Call Ben", body="Talked about holidays")
    assert _ids(text_search(Activity.objects.all(), "pric")) == {call.pk}


def test_activity_search_finds_words_of_the_outcome(crm, admin) -> None:
    """An activity is found by its recorded outcome."""
    meeting = ActivityFactory.create(owner=admin, subject="Demo", outcome="Signed contract")
    ActivityFactory.create(owner=admin, subject="Demo", outcome="Postponed")
    assert _ids(text_search(Activity.objects.all(), "signed")) == {meeting.pk}


def test_activity_search_needs_every_word(crm, admin) -> None:
    """Several words narrow the search: each must occur in the subject, notes or outcome."""
    both = ActivityFactory.create(owner=admin, subject="Call Anna", body="pricing questions")
    ActivityFactory.create(owner=admin, subject="Call Anna", body="holiday plans")
    assert _ids(text_search(Activity.objects.all(), "anna pricing")) == {both.pk}


def test_activity_search_falls_back_to_close_spellings_of_the_subject(crm, admin) -> None:
    """A misspelt subject still finds the activity when nothing matches exactly."""
    call = ActivityFactory.create(owner=admin, subject="Negotiation with Globex")
    assert _ids(text_search(Activity.objects.all(), "negotation")) == {call.pk}


def test_activity_search_shows_exact_matches_before_close_spellings(crm, admin) -> None:
    """When some activity matches exactly, near misses are left out."""
    exact = ActivityFactory.create(owner=admin, subject="Renewal call")
    ActivityFactory.create(owner=admin, subject="Renewals review")
    assert _ids(text_search(Activity.objects.all(), "renewal call")) == {exact.pk}


def test_activity_search_reads_the_subject_and_notes_indexes(planning_crm) -> None:
    """The search expression is the indexed one, so 300k activities are not scanned."""
    ActivityFactory.create(owner=AdminFactory.create(), subject="Call Anna", body="pricing")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = text_search(Activity.objects.all(), "pricing").explain()
    assert "crm_activity_subject_trgm" in plan
    assert "crm_activity_search_idx" in plan
