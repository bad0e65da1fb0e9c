"""CSV export: the list's filters and the user's visibility, streamed, also when read-only."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from crm.models import Contact, Deal, Tag
from crm.selectors.exports import export_rows
from crm.selectors.lists import ordering
from tests.billing.conftest import make_subscription
from tests.conftest import sign_in
from tests.crm.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
)
from tests.factories import AdminFactory


def rows_of(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[arg-type]
    return list(csv.reader(io.StringIO(text)))


def exported_ids(response) -> set[int]:
    return {int(row[0]) for row in rows_of(response)[1:]}


def test_a_rep_exports_only_their_own_contacts(crm, rep, other_rep, client_as) -> None:
    mine = ContactFactory.create(owner=rep)
    ContactFactory.create(owner=other_rep)
    assert exported_ids(client_as(rep).get("/contacts/export/")) == {mine.pk}


def test_a_read_only_user_exports_every_record(crm, reader, rep, other_rep, client_as) -> None:
    deals = {DealFactory.create(owner=rep).pk, DealFactory.create(owner=other_rep).pk}
    assert exported_ids(client_as(reader).get("/deals/export/")) == deals


@pytest.mark.parametrize(
    ("prefix", "factory"),
    [
        ("companies", CompanyFactory),
        ("leads", LeadFactory),
        ("deals", DealFactory),
        ("activities", ActivityFactory),
    ],
)
def test_each_list_exports_with_visibility(crm, rep, other_rep, client_as, prefix, factory):
    mine = factory.create(owner=rep)
    factory.create(owner=other_rep)
    assert exported_ids(client_as(rep).get(f"/{prefix}/export/")) == {mine.pk}


def test_export_applies_the_list_filters_and_sort(crm, admin, client_as) -> None:
    ContactFactory.create(owner=admin, first_name="Sam", last_name="Zeta Berlin")
    ContactFactory.create(owner=admin, first_name="Sam", last_name="Alpha Berlin")
    ContactFactory.create(owner=admin, last_name="Paris")
    rows = rows_of(client_as(admin).get("/contacts/export/?q=berlin&sort=-name&after=junk"))
    assert [row[2] for row in rows[1:]] == ["Zeta Berlin", "Alpha Berlin"]
    assert rows[0][:3] == ["ID", "First name", "Last name"]


def test_export_reads_past_its_chunk_size_without_losing_rows(crm, admin) -> None:
    for _ in range(7):
        ContactFactory.create(owner=admin)
    order = ordering(Contact, "name")
    rows = list(
        export_rows(Contact.objects.all(), kind="contact", order=order, definitions=[], chunk=2)
    )
    assert [int(r[0]) for r in rows] == list(
        Contact.objects.order_by(*order).values_list("pk", flat=True)
    )


def test_cells_that_look_like_formulas_are_quoted(crm, admin, client_as) -> None:
    ContactFactory.create(owner=admin, last_name="=HYPERLINK(1)")
    rows = rows_of(client_as(admin).get("/contacts/export/"))
    assert rows[1][2] == "'=HYPERLINK(1)"


def test_export_works_while_billing_makes_the_workspace_read_only(
    alpha, crm, admin, client_as
) -> None:
    ContactFactory.create(owner=admin)
    make_subscription(alpha.tenant, trial_ends_at=timezone.now() - timedelta(minutes=1))
    response = client_as(admin).get("/contacts/export/")
    assert response.status_code == 200
    assert len(rows_of(response)) == 2


def test_beta_export_never_contains_alpha_records(alpha, beta, beta_client) -> None:
    with schema_context(alpha.schema):
        ContactFactory.create(owner=AdminFactory.create(), last_name="Zanzibar")
    with schema_context(beta.schema):
        beta_admin = AdminFactory.create()
    response = sign_in(beta_client, beta, beta_admin).get("/contacts/export/")
    # The stream is pulled after the view returned, while the connection is on alpha's schema.
    with schema_context(alpha.schema):
        assert rows_of(response)[1:] == []


def test_an_export_builds_no_model_instances(crm, admin, client_as) -> None:
    """Rows are read as values: exporting contacts builds no Contact, however many there are."""
    ContactFactory.create_batch(5, owner=admin)
    built: list[object] = []

    def record(sender: type, instance: object, **kwargs: object) -> None:
        built.append(instance)

    post_init.connect(record, sender=Contact)
    try:
        rows = rows_of(client_as(admin).get("/contacts/export/"))
    finally:
        post_init.disconnect(record, sender=Contact)
    assert (len(rows), built) == (6, [])


def test_export_queries_do_not_grow_with_rows(crm, admin, client_as) -> None:
    """Owners, tags and links come with the rows: nine deals cost the queries of three."""
    tag = Tag.objects.create(name="vip")

    def queries_for(count: int) -> int:
        Deal.objects.all().delete()
        for _ in range(count):
            deal = DealFactory.create(owner=admin, company=CompanyFactory.create(owner=admin))
            deal.tags.add(tag)
        client = client_as(admin)
        with CaptureQueriesContext(connection) as context:
            rows_of(client.get("/deals/export/"))
        return len(context.captured_queries)

    assert queries_for(3) == queries_for(9)


@pytest.mark.parametrize("sort", ["close", "-close"])
def test_an_export_keeps_rows_without_a_sort_value_across_chunks(crm, admin, sort) -> None:
    """Deals without an expected close date are exported once each, where the list shows them."""
    for day in [None, 3, None, 1, 3, None, 2, None]:
        DealFactory.create(owner=admin, expected_close_on=date(2030, 1, day) if day else None)
    order = ordering(Deal, sort)
    rows = export_rows(Deal.objects.all(), kind="deal", order=order, definitions=[], chunk=2)
    assert [int(row[0]) for row in rows] == list(
        Deal.objects.order_by(*order).values_list("pk", flat=True)
    )


def test_a_deal_row_names_its_company_stage_owner_and_tags(crm, admin, client_as) -> None:
    """Names as the pages show them; the stage's probability when the deal has none of its own."""
    deal = DealFactory.create(
        owner=admin, company=CompanyFactory.create(owner=admin, name="Acme"), probability=None
    )
    deal.tags.add(Tag.objects.create(name="zeta"), Tag.objects.create(name="alpha"))
    header, row = rows_of(client_as(admin).get("/deals/export/"))
    cells = dict(zip(header, row, strict=True))
    expected = ["Acme", deal.stage.name, str(deal.stage.probability), "Ada Admin", "alpha, zeta"]
    assert [cells[c] for c in ("Company", "Stage", "Probability (%)", "Owner", "Tags")] == expected


def test_an_activity_row_names_the_records_it_concerns(crm, admin, client_as) -> None:
    """Contact, company, deal and lead of an activity are exported by name, its type by label."""
    ActivityFactory.create(
        owner=admin,
        kind="email",
        contact=ContactFactory.create(owner=admin, first_name="Ann", last_name="Lee"),
        company=CompanyFactory.create(owner=admin, name="Acme"),
        deal=DealFactory.create(owner=admin, title="Big deal"),
        lead=LeadFactory.create(owner=admin, name="Lou Lead"),
    )
    header, row = rows_of(client_as(admin).get("/activities/export/"))
    cells = dict(zip(header, row, strict=True))
    assert [cells[c] for c in ("Type", "Contact", "Company", "Deal", "Lead")] == [
        "Email",
        "Ann Lee",
        "Acme",
        "Big deal",
        "Lou Lead",
    ]
