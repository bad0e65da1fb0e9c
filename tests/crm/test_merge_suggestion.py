"""Merging keeps, by default, the duplicate holding more data and history, and says why."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from crm.models import Contact, DealContact
from crm.selectors.merge import merge_suggestion, record_weight
from tests.crm.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    TagFactory,
)


def _older(record, days: int = 30):
    """Backdate ``record``'s creation (``auto_now_add`` ignores a value given at create)."""
    type(record).objects.filter(pk=record.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )
    record.refresh_from_db()
    return record


def _rich_contact(owner) -> Contact:
    contact = _older(
        ContactFactory.create(
            owner=owner,
            title="CFO",
            phone="+1 555 0100",
            city="Oslo",
            country="Norway",
            extra_emails=["ann@home.example"],
        )
    )
    contact.tags.add(TagFactory.create())
    for _ in range(3):
        ActivityFactory.create(owner=owner, contact=contact)
    DealContact.objects.create(deal=DealFactory.create(owner=owner), contact=contact)
    return contact


def test_the_weight_counts_filled_fields_activities_and_deals(rep) -> None:
    weight = record_weight(_rich_contact(rep))
    # first and last name, title, email, other emails, phone, city, country, tags
    assert (weight.filled_fields, weight.activities, weight.deals) == (9, 3, 1)


def test_the_record_with_more_data_and_history_is_suggested(rep) -> None:
    rich = _rich_contact(rep)
    empty_newer = ContactFactory.create(owner=rep, first_name="", email="")
    suggestion = merge_suggestion(empty_newer, rich)
    assert suggestion.survivor.record == rich
    assert suggestion.reason == (
        "Kept because it has 9 filled fields, 3 activities and 1 deal; "
        "the other has 1 filled field, 0 activities and 0 deals."
    )


def test_history_alone_can_outweigh_fields(rep) -> None:
    filled = ContactFactory.create(owner=rep, title="CEO", phone="1", city="Rome")
    busy = ContactFactory.create(owner=rep, first_name="", email="")
    for _ in range(6):
        ActivityFactory.create(owner=rep, contact=busy)
    assert merge_suggestion(filled, busy).survivor.record == busy


def test_the_older_record_is_kept_on_a_tie(rep) -> None:
    newer = ContactFactory.create(owner=rep)
    older = _older(ContactFactory.create(owner=rep), days=400)
    suggestion = merge_suggestion(newer, older)
    assert suggestion.survivor.record == older
    assert "kept because it is the older record" in suggestion.reason


def test_companies_count_their_deals(rep) -> None:
    newer = CompanyFactory.create(owner=rep)
    older = _older(CompanyFactory.create(owner=rep))
    DealFactory.create(owner=rep, company=newer)
    DealFactory.create(owner=rep, company=newer)
    suggestion = merge_suggestion(older, newer)
    assert suggestion.survivor.record == newer
    assert suggestion.survivor.deals == 2


def test_the_merge_page_preselects_the_suggested_record_and_explains(crm, rep, client_as) -> None:
    rich = _rich_contact(rep)
    empty_newer = ContactFactory.create(owner=rep, first_name="", email="")
    # The list sends the newest first: the emptier duplicate comes first in the query.
    html = client_as(rep).get(f"/contacts/merge/?ids={empty_newer.pk}&ids={rich.pk}").content
    page = html.decode()
    assert re.search(rf'value="{rich.pk}" data-testid="keep-{rich.pk}" checked', page)
    assert not re.search(
        rf'value="{empty_newer.pk}" data-testid="keep-{empty_newer.pk}" checked', page
    )
    assert "Kept because it has 9 filled fields, 3 activities and 1 deal" in page


def test_posting_without_a_choice_keeps_the_suggested_record(crm, rep, client_as) -> None:
    rich = _rich_contact(rep)
    empty_newer = ContactFactory.create(owner=rep, first_name="", email="")
    client_as(rep).post("/contacts/merge/", {"ids": [empty_newer.pk, rich.pk]})
    assert list(Contact.objects.filter(pk__in=[rich.pk, empty_newer.pk])) == [rich]


def test_the_user_can_still_keep_the_other_record(crm, rep, client_as) -> None:
    rich = _rich_contact(rep)
    empty_newer = ContactFactory.create(owner=rep, first_name="", email="")
    client_as(rep).post(
        "/contacts/merge/", {"ids": [empty_newer.pk, rich.pk], "primary": empty_newer.pk}
    )
    assert list(Contact.objects.filter(pk__in=[rich.pk, empty_newer.pk])) == [empty_newer]
