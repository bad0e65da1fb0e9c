"""Dynamic segments filtered by customer value: RFM segment, at risk, top 20 %."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from crm.marketing.models import Segment, SegmentKind, SegmentRecordType
from crm.marketing.selectors import segment_members, segment_size
from tenants.users.models import User
from tests.conftest import Workspace
from tests.crm.factories import CompanyFactory, ContactFactory
from tests.insights.values import value_row


def dynamic(creator: User, record_type: str = SegmentRecordType.CONTACT, **filters: str) -> Segment:
    return Segment.objects.create(
        name="S", kind=SegmentKind.DYNAMIC, record_type=record_type, filters=filters, owner=creator
    )


def names(segment: Segment, user: User) -> set[str]:
    return {str(record) for record in segment_members(segment, user=user)}


def test_filter_by_rfm_segment(crm: Workspace, admin: User) -> None:
    champion = ContactFactory.create(owner=admin, full_name="Champion")
    value_row(champion, segment="champions")
    value_row(ContactFactory.create(owner=admin, full_name="Loyal"), segment="loyal")
    ContactFactory.create(owner=admin, full_name="No orders")
    assert names(dynamic(admin, value_segment="champions"), admin) == {"Champion"}


def test_filter_companies_at_risk(crm: Workspace, admin: User) -> None:
    value_row(CompanyFactory.create(owner=admin, name="Slipping"), segment="loyal", at_risk=True)
    value_row(CompanyFactory.create(owner=admin, name="Fine"), segment="loyal")
    segment = dynamic(admin, SegmentRecordType.COMPANY, value_at_risk="on")
    assert names(segment, admin) == {"Slipping"}


def test_filter_top_customers_combined_with_a_segment(crm: Workspace, admin: User) -> None:
    """Both conditions hold: a top customer among the champions only."""
    value_row(
        ContactFactory.create(owner=admin, full_name="Top champ"), segment="champions", top=True
    )
    value_row(ContactFactory.create(owner=admin, full_name="Top loyal"), segment="loyal", top=True)
    value_row(ContactFactory.create(owner=admin, full_name="Champ"), segment="champions")
    segment = dynamic(admin, value_segment="champions", value_top="on")
    assert names(segment, admin) == {"Top champ"}


def test_a_contact_value_does_not_select_a_company_with_the_same_id(
    crm: Workspace, admin: User
) -> None:
    contact = ContactFactory.create(owner=admin)
    company = CompanyFactory.create(owner=admin)
    value_row(contact, segment="champions")
    assert company.pk not in {c.pk for c in segment_members(
        dynamic(admin, SegmentRecordType.COMPANY, value_segment="champions"), user=admin
    )}  # fmt: skip


def test_value_filters_keep_the_users_visibility(crm: Workspace, admin: User, rep: User) -> None:
    value_row(ContactFactory.create(owner=admin, full_name="Admins"), segment="champions")
    value_row(ContactFactory.create(owner=rep, full_name="Reps"), segment="champions")
    assert names(dynamic(admin, value_segment="champions"), rep) == {"Reps"}


def test_size_with_value_filters_is_one_query(crm: Workspace, admin: User) -> None:
    value_row(ContactFactory.create(owner=admin), segment="champions", at_risk=True, top=True)
    segment = dynamic(admin, value_segment="champions", value_at_risk="on", value_top="on")
    with CaptureQueriesContext(connection) as queries:
        size = segment_size(segment, user=admin)
    assert size == 1
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1
    assert "insights_customervalue" in counts[0]


def test_the_builder_offers_and_saves_the_value_filters(
    crm: Workspace, admin: User, client_as
) -> None:
    client = client_as(admin)
    page = client.get("/marketing/segments/new/?type=company").content.decode()
    assert 'name="value_segment"' in page
    assert 'name="value_at_risk"' in page
    response = client.post(
        "/marketing/segments/new/?type=company",
        {"name": "At-risk champions", "kind": "dynamic", "value_segment": "champions",
         "value_at_risk": "on"},
    )  # fmt: skip
    assert response.status_code in (200, 302)
    saved = Segment.objects.get(name="At-risk champions")
    assert saved.filters == {"value_segment": "champions", "value_at_risk": "on"}


def test_an_unknown_segment_value_is_a_broken_filter(crm: Workspace, admin: User) -> None:
    value_row(ContactFactory.create(owner=admin), segment="champions")
    assert segment_size(dynamic(admin, value_segment="vip"), user=admin) is None


def test_value_filters_are_isolated(crm: Workspace, admin: User, beta: Workspace) -> None:
    """Another workspace's champions are not this one's: its contacts have no value rows."""
    value_row(ContactFactory.create(owner=admin), segment="champions")
    with schema_context(beta.schema):
        from tests.factories import AdminFactory

        other = AdminFactory.create()
        ContactFactory.create(owner=other)
        assert segment_size(dynamic(other, value_segment="champions"), user=other) == 0
