"""List pages: what each filter costs, and what the filters the UI offers select."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crm.models import Contact
from crm.selectors import filtered, ordering
from crm.selectors.lists import encode_cursor, seek_page
from tests.crm.factories import (
    ActivityFactory,
    ContactFactory,
    CustomFieldFactory,
    DealFactory,
    TagFactory,
    stage_named,
)


def queries_of(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in context.captured_queries]


def test_the_activity_list_offers_no_tag_filter(crm, admin, client_as) -> None:
    """Activities carry no tags: the list has no tag select, and ``?tag=`` is not a filter."""
    ActivityFactory.create(owner=admin, subject="Call Ann")
    tag = TagFactory.create()
    response = client_as(admin).get("/activities/", {"tag": tag.pk})
    assert (response.status_code, 'name="tag"' in response.text) == (200, False)


def test_filtering_deals_by_stage_costs_no_query(crm, admin, client_as) -> None:
    """The stage select and the chosen stage's check share one query."""
    DealFactory.create(owner=admin, stage=stage_named("Proposal"))
    client = client_as(admin)
    plain = queries_of(client, "/deals/list/")
    by_stage = queries_of(client, f"/deals/list/?stage={stage_named('Proposal').pk}")
    assert len(by_stage) == len(plain)


def test_a_list_without_custom_fields_does_not_ask_the_plan(crm, admin, client_as) -> None:
    """The subscription is read once per request (billing access), not again for the list."""
    CustomFieldFactory.create(object_type="contact", key="tier")
    DealFactory.create(owner=admin)
    sql = queries_of(client_as(admin), "/deals/list/")
    assert len([q for q in sql if '"billing_subscription"' in q]) == 1


def test_a_list_page_and_its_count_are_one_query(crm, admin) -> None:
    """The bounded count rides along the page query; the total is still right."""
    ContactFactory.create_batch(4, owner=admin)
    with CaptureQueriesContext(connection) as context:
        page = seek_page(Contact.objects.all(), order=ordering(Contact, "name"), per_page=2)
    assert (len(context.captured_queries), page.total, len(page.items)) == (1, 4, 2)


def test_an_empty_page_after_the_last_row_still_counts_the_list(crm, admin) -> None:
    """A cursor past the end shows no rows but the list's total."""
    ContactFactory.create_batch(2, owner=admin, first_name="Sam", last_name="Aaron")
    last = ContactFactory.create(owner=admin, first_name="Sam", last_name="Zygmunt")
    after = encode_cursor("Sam Zygmunt", last.pk)
    page = seek_page(Contact.objects.all(), order=ordering(Contact, "name"), after=after)
    assert (page.items, page.total) == ([], 3)


def test_created_from_starts_at_midnight_in_the_current_time_zone(crm, admin) -> None:
    """In Berlin, a contact created 23:30 UTC the evening before counts as created that day."""
    berlin = ZoneInfo("Europe/Berlin")
    day = datetime.date(2030, 6, 1)
    inside = ContactFactory.create(owner=admin)
    outside = ContactFactory.create(owner=admin)
    Contact.objects.filter(pk=inside.pk).update(
        created_at=datetime.datetime(2030, 5, 31, 22, 30, tzinfo=datetime.UTC)  # 00:30 Berlin
    )
    Contact.objects.filter(pk=outside.pk).update(
        created_at=datetime.datetime(2030, 5, 31, 21, 30, tzinfo=datetime.UTC)  # 23:30 Berlin
    )
    with timezone.override(berlin):
        found = filtered(Contact.objects.all(), params={"created_from": day})
        assert list(found.values_list("pk", flat=True)) == [inside.pk]


def test_created_to_includes_the_whole_last_day(crm, admin) -> None:
    """A contact created at 23:59 on the last day is in; one a minute later is not."""
    day = datetime.date(2030, 6, 1)
    inside = ContactFactory.create(owner=admin)
    outside = ContactFactory.create(owner=admin)
    Contact.objects.filter(pk=inside.pk).update(
        created_at=datetime.datetime(2030, 6, 1, 23, 59, tzinfo=datetime.UTC)
    )
    Contact.objects.filter(pk=outside.pk).update(
        created_at=datetime.datetime(2030, 6, 2, 0, 0, tzinfo=datetime.UTC)
    )
    with timezone.override(datetime.UTC):
        found = filtered(Contact.objects.all(), params={"created_to": day})
        assert list(found.values_list("pk", flat=True)) == [inside.pk]


def test_the_created_filters_compare_the_column_itself(crm, admin) -> None:
    """No ``AT TIME ZONE`` of the column: the condition is one its index serves."""
    params = {"created_from": datetime.date(2030, 1, 1), "created_to": datetime.date(2030, 2, 1)}
    sql = str(filtered(Contact.objects.all(), params=params).query)
    assert "AT TIME ZONE" not in sql
