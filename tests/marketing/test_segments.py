"""Segments: each kind of filter, static lists, the live size, permissions, isolation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from crm.marketing.models import Segment, SegmentKind, SegmentMember, SegmentRecordType
from crm.marketing.selectors import segment_members, segment_size
from crm.models import Contact, DealContact, ExchangeRate
from tenants.users.models import User
from tests.conftest import Workspace
from tests.crm.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    CustomFieldFactory,
    DealFactory,
    TagFactory,
    stage_named,
)


def dynamic(creator: User, record_type: str = SegmentRecordType.CONTACT, **filters: str) -> Segment:
    return Segment.objects.create(
        name="S", kind=SegmentKind.DYNAMIC, record_type=record_type, filters=filters, owner=creator
    )


def names(segment: Segment, user: User) -> set[str]:
    return {str(record) for record in segment_members(segment, user=user)}


def won_deal(
    contact: Contact | None = None, *, amount: str = "1000", currency: str = "EUR", **kw: Any
):
    deal = DealFactory.create(
        stage=stage_named("Won"), amount=Decimal(amount), currency=currency, **kw
    )
    if contact is not None:
        DealContact.objects.create(deal=deal, contact=contact)
    return deal


def test_filter_by_tag_and_owner(crm: Workspace, admin: User, rep: User) -> None:
    vip = TagFactory.create(name="vip")
    tagged = ContactFactory.create(full_name="Tagged", owner=rep)
    tagged.tags.add(vip)
    ContactFactory.create(full_name="Untagged", owner=rep)
    other = ContactFactory.create(full_name="Tagged elsewhere", owner=admin)
    other.tags.add(vip)
    assert names(dynamic(admin, tag=str(vip.pk), owner=str(rep.pk)), admin) == {"Tagged"}


def test_filter_by_custom_field(crm: Workspace, admin: User) -> None:
    CustomFieldFactory.create(object_type="contact", key="tier", label="Tier")
    ContactFactory.create(full_name="Gold", owner=admin, custom={"tier": "gold"})
    ContactFactory.create(full_name="Silver", owner=admin, custom={"tier": "silver"})
    assert names(dynamic(admin, cf_tier="gold"), admin) == {"Gold"}


def test_filter_has_won_deal(crm: Workspace, admin: User) -> None:
    buyer = ContactFactory.create(full_name="Buyer", owner=admin)
    ContactFactory.create(full_name="Browser", owner=admin)
    won_deal(buyer, owner=admin)
    open_deal = DealFactory.create(owner=admin)
    DealContact.objects.create(
        deal=open_deal, contact=ContactFactory.create(full_name="Open", owner=admin)
    )
    assert names(dynamic(admin, has_won_deal="on"), admin) == {"Buyer"}


def test_filter_won_value_converts_currencies(crm: Workspace, admin: User) -> None:
    """Won value above X adds the contact's won deals in the base currency at today's rate."""
    ExchangeRate.objects.create(
        base_currency="EUR", currency="USD", rate=Decimal("0.5"), valid_from=timezone.localdate()
    )
    big = ContactFactory.create(full_name="Big", owner=admin)
    won_deal(big, amount="3000", owner=admin)
    won_deal(big, amount="3000", owner=admin)
    dollars = ContactFactory.create(full_name="Dollars", owner=admin)
    won_deal(dollars, amount="8000", currency="USD", owner=admin)  # 4,000 EUR
    small = ContactFactory.create(full_name="Small", owner=admin)
    won_deal(small, amount="500", owner=admin)
    assert names(dynamic(admin, won_value_above="5000"), admin) == {"Big"}
    assert names(dynamic(admin, won_value_above="3500"), admin) == {"Big", "Dollars"}


def test_filter_no_activity_in_days(crm: Workspace, admin: User) -> None:
    quiet = ContactFactory.create(full_name="Quiet", owner=admin)
    busy = ContactFactory.create(full_name="Busy", owner=admin)
    old = ActivityFactory.create(contact=quiet, owner=admin)
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=90))
    ActivityFactory.create(contact=busy, owner=admin)
    assert names(dynamic(admin, no_activity_days="30"), admin) == {"Quiet"}


def test_company_segment_with_won_deal(crm: Workspace, admin: User) -> None:
    client_co = CompanyFactory.create(name="Customer Co", owner=admin)
    CompanyFactory.create(name="Prospect Co", owner=admin)
    won_deal(company=client_co, owner=admin)
    segment = dynamic(admin, SegmentRecordType.COMPANY, has_won_deal="on")
    assert names(segment, admin) == {"Customer Co"}


def test_members_follow_the_users_visibility(crm: Workspace, admin: User, rep: User) -> None:
    ContactFactory.create(full_name="Mine", owner=rep)
    ContactFactory.create(full_name="Theirs", owner=admin)
    segment = dynamic(admin)
    assert segment_size(segment, user=admin) == 2
    assert names(segment, rep) == {"Mine"}


def test_broken_filter_selects_nobody(crm: Workspace, admin: User) -> None:
    ContactFactory.create(owner=admin)
    assert segment_size(dynamic(admin, tag="999999"), user=admin) == 0


def test_size_is_one_count_query(crm: Workspace, admin: User, client_as) -> None:
    """The live size: one COUNT, and only the segment and its custom fields besides."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ContactFactory.create(owner=admin)
    segment = dynamic(admin, no_activity_days="10")
    client = client_as(admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/marketing/segments/{segment.pk}/size/")
    assert b"1 contact" in response.content
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1
    assert len(queries.captured_queries) <= 9


def test_create_dynamic_segment_through_the_form(crm: Workspace, rep: User, client_as) -> None:
    tag = TagFactory.create(name="lead-magnet")
    response = client_as(rep).post(
        "/marketing/segments/new/?type=contact",
        {
            "name": "Magnet",
            "kind": "dynamic",
            "tag": str(tag.pk),
            "no_activity_days": "14",
            "q": "",
        },
    )
    assert response.status_code == 302, response.content
    segment = Segment.objects.get(name="Magnet")
    assert segment.filters == {"tag": str(tag.pk), "no_activity_days": "14"}
    assert segment.owner == rep


def test_preview_size_counts_the_filter_being_built(crm: Workspace, admin: User, client_as) -> None:
    ContactFactory.create(owner=admin, city="Taipei", full_name="T")
    response = client_as(admin).get("/marketing/segments/size/?type=contact&q=zzzznotthere")
    assert b"0 contacts" in response.content


def test_static_list_add_from_bulk_and_remove(crm: Workspace, rep: User, client_as) -> None:
    first = ContactFactory.create(owner=rep)
    second = ContactFactory.create(owner=rep)
    client = client_as(rep)
    chooser = client.post("/marketing/segments/add/", {"ids": [first.pk, second.pk], "action": ""})
    assert chooser.status_code == 200
    assert b"segment-add-confirm" in chooser.content
    response = client.post(
        "/marketing/segments/add/", {"ids": [first.pk, second.pk], "new_list": "Hot", "add": "1"}
    )
    segment = Segment.objects.get(name="Hot")
    assert response.status_code == 302
    assert segment.kind == SegmentKind.STATIC
    assert set(segment_members(segment, user=rep)) == {first, second}
    client.post("/marketing/segments/add/", {"ids": [first.pk], "segment": segment.pk, "add": "1"})
    assert SegmentMember.objects.filter(segment=segment).count() == 2
    client.post(f"/marketing/segments/{segment.pk}/remove/", {"ids": [first.pk]})
    assert list(segment_members(segment, user=rep)) == [second]


def test_static_list_only_takes_contacts_the_user_sees(
    crm: Workspace, rep: User, admin: User, client_as
) -> None:
    hidden = ContactFactory.create(owner=admin)
    client_as(rep).post(
        "/marketing/segments/add/", {"ids": [hidden.pk], "new_list": "Sneaky", "add": "1"}
    )
    assert not SegmentMember.objects.filter(contact=hidden).exists()


def test_detail_lists_members_and_exports(crm: Workspace, admin: User, client_as) -> None:
    ContactFactory.create(full_name="Listed Person", owner=admin, email="lp@example.com")
    segment = dynamic(admin)
    client = client_as(admin)
    page = client.get(f"/marketing/segments/{segment.pk}/")
    assert "Listed Person" in page.content.decode()
    export = client.get(f"/marketing/segments/{segment.pk}/export/")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "lp@example.com" in body


def test_readers_see_but_cannot_build(crm: Workspace, admin: User, reader: User, client_as) -> None:
    segment = dynamic(admin)
    client = client_as(reader)
    assert client.get(f"/marketing/segments/{segment.pk}/").status_code == 200
    assert client.get("/marketing/segments/new/").status_code == 403
    assert client.post(f"/marketing/segments/{segment.pk}/delete/").status_code == 403


def test_only_creator_manager_or_admin_change_a_segment(
    crm: Workspace, rep: User, other_rep: User, manager: User, client_as
) -> None:
    segment = dynamic(rep)
    assert client_as(other_rep).get(f"/marketing/segments/{segment.pk}/edit/").status_code == 404
    assert client_as(other_rep).post(f"/marketing/segments/{segment.pk}/delete/").status_code == 404
    assert client_as(manager).post(f"/marketing/segments/{segment.pk}/delete/").status_code == 302
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_static_lists_hold_contacts_only(crm: Workspace, admin: User, client_as) -> None:
    response = client_as(admin).post(
        "/marketing/segments/new/?type=company", {"name": "Cos", "kind": "static"}
    )
    assert response.status_code == 400
    assert not Segment.objects.exists()


def test_segment_of_another_workspace_is_404(crm: Workspace, admin: User, beta: Workspace) -> None:
    segment = dynamic(admin)
    with schema_context(beta.schema):
        beta_admin = User.objects.create_user(
            email="seg@beta.example", password="x", full_name="B", role="admin"
        )
        client = Client(HTTP_HOST=beta.host)
        client.force_login(beta_admin)
        assert not Segment.objects.filter(pk=segment.pk).exists()
        assert client.get(f"/marketing/segments/{segment.pk}/").status_code == 404
        assert client.get(f"/marketing/segments/{segment.pk}/size/").status_code == 404


@pytest.mark.parametrize("path", ["/marketing/segments/", "/marketing/segments/new/"])
def test_segment_pages_render(crm: Workspace, admin: User, client_as, path: str) -> None:
    dynamic(admin)
    assert client_as(admin).get(path).status_code == 200


def test_segment_export_neutralises_formulas(crm: Workspace, admin: User, client_as) -> None:
    """The segment's CSV goes through the lists' export: no cell runs as a formula."""
    from tests.security.test_csv_injection import _poisoned_workspace, rows_of, runs_as_formula

    _poisoned_workspace(admin)
    segment = dynamic(admin)
    rows = rows_of(client_as(admin).get(f"/marketing/segments/{segment.pk}/export/"))
    cells = [cell for row in rows for cell in row]
    assert len(rows) > 1
    assert any(cell.startswith("'") for cell in cells)
    assert [cell for cell in cells if runs_as_formula(cell)] == []
