"""The CRM's own return (baseline deltas), adoption per week and data quality, against
hand-computed fixtures."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from crm.insights.models import Snapshot
from crm.insights.selectors.adoption import (
    Duplicates,
    adoption_weeks,
    data_qualities,
    duplicate_emails,
    next_activity_share,
)
from crm.models import AuditAction, Contact, ObjectType
from crm.services.audit import audit_record
from onboarding.models import GoLiveBaseline
from onboarding.returns import (
    RETURN_SNAPSHOT_KEY,
    crm_return,
    return_figures,
    return_figures_precompute,
)
from onboarding.tasks import return_figures_job
from tests.crm.factories import ActivityFactory, ContactFactory, DealFactory
from tests.insights.history import sales_history


def _baseline() -> GoLiveBaseline:
    return GoLiveBaseline.objects.create(
        go_live_on=timezone.localdate() - datetime.timedelta(days=30),
        period_days=90,
        currency="EUR",
        won_deals=1,
        lost_deals=1,
        win_rate=Decimal("50.0"),
        average_sales_cycle_days=Decimal("40.0"),
        sellers=1,
        activities_per_seller=Decimal("10.0"),
        revenue_per_seller=Decimal("1000.00"),
    )


def test_baseline_deltas(crm, manager, rep) -> None:
    """Now (last 90 days): 2 won of 3 closed = 66.7 % (+16.7); cycle 25.0 days (-15.0, better);
    4000 won by 2 people selling = 2000.00 each (+1000.00); no activities: 0.0 (-10.0)."""
    sales_history(owner=manager, rep=rep)
    _baseline()
    result = crm_return()
    assert result is not None
    rows = {m.label: (m.now, m.change, m.improved) for m in result.measures}
    assert rows["Win rate"] == (Decimal("66.7"), Decimal("16.7"), True)
    assert rows["Average sales cycle"] == (Decimal("25.0"), Decimal("-15.0"), True)
    assert rows["Revenue per person selling"] == (Decimal("2000.00"), Decimal("1000.00"), True)
    assert rows["Activities per person selling"] == (Decimal("0.0"), Decimal("-10.0"), False)


def test_no_baseline_yet(crm, admin, client_as) -> None:
    assert crm_return() is None
    body = client_as(admin).get("/insights/return/").content.decode()
    assert 'data-testid="no-baseline"' in body


def test_data_quality_score(crm, admin) -> None:
    """Contacts: 1 of 4 without e-mail (75.0), 2 without phone (50.0), one duplicate address
    (75.0); no companies (100.0); open deals: one without date and amount (50.0, 50.0).
    Score = (75 + 50 + 100 + 50 + 50 + 75) / 6 = 66.7."""
    ContactFactory.create(owner=admin, email="a@x.example", phone="")
    ContactFactory.create(owner=admin, email="A@x.example", phone="+4930123456")
    ContactFactory.create(owner=admin, email="", phone="")
    ContactFactory.create(owner=admin, email="b@x.example", mobile="+4915123456")
    DealFactory.create(owner=admin, amount=Decimal(0))
    DealFactory.create(owner=admin, expected_close_on=timezone.localdate())
    quality = data_qualities()["all"]
    shares = {check.key: check.share_ok for check in quality.checks}
    assert shares == {
        "contact_email": Decimal("75.0"),
        "contact_phone": Decimal("50.0"),
        "company_reach": Decimal("100"),
        "deal_close": Decimal("50.0"),
        "deal_amount": Decimal("50.0"),
        "contact_unique": Decimal("75.0"),
    }
    assert quality.score == Decimal("66.7")


def test_adoption_this_week(crm, admin, manager) -> None:
    """This week: the manager logged 2 activities, the admin changed 1 record → 2 active
    users, 1 record touched, 2 activities logged; 1 of 2 open deals has a next activity."""
    ActivityFactory.create(owner=manager)
    deal = DealFactory.create(owner=manager)
    DealFactory.create(owner=manager)
    ActivityFactory.create(
        owner=manager, deal=deal, due_at=timezone.now() + datetime.timedelta(days=1)
    )
    audit_record(
        actor=admin,
        action=AuditAction.UPDATE,
        object_type=ObjectType.DEAL,
        object_id=deal.pk,
        object_repr="x",
    )
    week = adoption_weeks()[-1]
    assert (week.active_users, week.records_touched, week.activities_logged) == (2, 1, 2)
    assert next_activity_share() == (1, 2)


def test_reps_cannot_open_the_return_page(crm, rep, client_as) -> None:
    assert client_as(rep).get("/insights/return/").status_code == 403


def test_duplicates_split_at_go_live(crm, admin) -> None:
    """a@ before go-live, A@ and a@ since, b@ alone: 2 extra contacts in all, none among
    those entered before, 1 among those entered since."""
    go_live = timezone.now() - datetime.timedelta(days=10)
    old = ContactFactory.create(owner=admin, email="a@x.example")
    Contact.objects.filter(pk=old.pk).update(created_at=go_live - datetime.timedelta(days=1))
    ContactFactory.create(owner=admin, email="A@x.example")
    ContactFactory.create(owner=admin, email="a@x.example")
    ContactFactory.create(owner=admin, email="b@x.example")
    assert duplicate_emails(go_live) == Duplicates(all=2, before=0, since=1)
    assert duplicate_emails() == Duplicates(all=2, before=0, since=0)


def test_the_page_reads_the_hourly_figures_and_says_how_fresh(crm, admin, client_as) -> None:
    """After the refresh, a new activity is not counted until the next one; the page says
    the figures were computed a moment ago."""
    ActivityFactory.create(owner=admin)
    return_figures_job()
    ActivityFactory.create(owner=admin)
    figures = return_figures()
    assert figures.computed_at is not None
    assert figures.weeks[-1].activities_logged == 1
    body = client_as(admin).get("/insights/return/").content.decode()
    assert 'data-testid="adoption-freshness"' in body


def test_stale_figures_are_counted_live(crm, admin) -> None:
    ActivityFactory.create(owner=admin)
    return_figures_precompute()
    Snapshot.objects.filter(key=RETURN_SNAPSHOT_KEY).update(
        computed_at=timezone.now() - datetime.timedelta(hours=3)
    )
    ActivityFactory.create(owner=admin)
    figures = return_figures()
    assert figures.computed_at is None
    assert figures.weeks[-1].activities_logged == 2


def test_figures_split_at_an_older_go_live_are_counted_live(crm, admin) -> None:
    """A baseline recorded after the refresh: the duplicates are split again, live."""
    return_figures_precompute()
    baseline = _baseline()
    figures = return_figures()
    assert figures.computed_at is None
    assert figures.go_live is not None
    assert figures.go_live.date() == baseline.go_live_on
