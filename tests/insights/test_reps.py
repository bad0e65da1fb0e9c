"""Rep activity, quotas and the leaderboard against a hand-computed history."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import schema_context

from crm.insights.models import Quota
from crm.insights.selectors.reps import rep_activity
from crm.insights.selectors.scope import Scope
from crm.insights.services import quota_set
from crm.models import ActivityKind, AuditEntry
from tests.crm.conftest import fresh
from tests.crm.factories import ActivityFactory
from tests.factories import AdminFactory
from tests.insights.history import sales_history


def _scope(user, **kwargs) -> Scope:
    today = timezone.localdate()
    return Scope(
        user=fresh(user),
        start=today.replace(day=1) - datetime.timedelta(days=60),
        end=today,
        **kwargs,
    )


def _activities(owner, now) -> None:
    done = now - datetime.timedelta(days=1)
    for kind, count in (
        (ActivityKind.CALL, 3),
        (ActivityKind.MEETING, 2),
        (ActivityKind.EMAIL, 1),
        (ActivityKind.TASK, 1),
        (ActivityKind.NOTE, 4),  # notes are not counted
    ):
        for _ in range(count):
            ActivityFactory.create(owner=owner, kind=kind, done_at=done)
    ActivityFactory.create(owner=owner, kind=ActivityKind.CALL)  # open: not done
    ActivityFactory.create(
        owner=owner, kind=ActivityKind.CALL, done_at=now - datetime.timedelta(days=400)
    )


def test_activities_deals_and_quota_per_rep(crm, admin, manager, rep) -> None:
    """The manager: 3 calls, 2 meetings, 1 e-mail, 1 task; 5 deals created, 1 won (3000),
    1 lost; quota 2000 this month + 4000 last month = 6000 → 50.0 %. The rep: w2 won (1000),
    quota 500 → 200.0 %. Ranked by won value: manager first."""
    history = sales_history(owner=manager, rep=rep)
    _activities(manager, history.now)
    month = timezone.localdate().replace(day=1)
    quota_set(by=admin, owner=manager, month=month, amount=Decimal(2000))
    quota_set(
        by=admin, owner=manager, month=month - datetime.timedelta(days=1), amount=Decimal(4000)
    )
    quota_set(by=admin, owner=rep, month=month, amount=Decimal(500))
    rows = {row.rep.pk: row for row in rep_activity(_scope(admin))}
    boss, seller = rows[manager.pk], rows[rep.pk]
    assert (boss.calls, boss.meetings, boss.emails, boss.tasks) == (3, 2, 1, 1)
    assert (boss.created, boss.won, boss.lost, boss.won_value) == (5, 1, 1, Decimal("3000.00"))
    assert (boss.quota, boss.attainment) == (Decimal("6000.00"), Decimal("50.0"))
    assert (seller.won, seller.won_value, seller.attainment) == (
        1,
        Decimal("1000.00"),
        Decimal("200.0"),
    )
    assert (boss.rank, seller.rank) == (1, 2)


def test_a_rep_sees_only_own_row(crm, admin, manager, rep) -> None:
    """A rep who sees own records only gets a leaderboard of one."""
    history = sales_history(owner=manager, rep=rep)
    _activities(manager, history.now)
    quota_set(by=admin, owner=manager, month=timezone.localdate(), amount=Decimal(100))
    rows = rep_activity(_scope(rep))
    assert [row.rep.pk for row in rows] == [rep.pk]


def test_quota_set_replaces_the_month_and_is_audited(crm, admin, rep) -> None:
    """Setting a month twice keeps one quota (on the first of the month), audited each time."""
    day = timezone.localdate().replace(day=15)
    quota_set(by=admin, owner=rep, month=day, amount=Decimal(100))
    quota_set(by=admin, owner=rep, month=day, amount=Decimal(250))
    quota = Quota.objects.get()
    assert (quota.month, quota.amount, quota.currency) == (day.replace(day=1), Decimal(250), "EUR")
    assert AuditEntry.objects.filter(object_type="settings").count() == 2


def test_only_admins_set_quotas(crm, manager, rep, client_as) -> None:
    """A manager gets 403 on the quota page; an admin saves a quota through the form."""
    assert client_as(manager).get("/insights/quotas/").status_code == 403


def test_admin_saves_a_quota_through_the_page(crm, admin, rep, client_as) -> None:
    month = timezone.localdate().strftime("%Y-%m")
    response = client_as(admin).post(
        "/insights/quotas/", {"owner": rep.pk, "month": month, "amount": "1500"}
    )
    assert response.status_code == 302
    assert Quota.objects.get(owner=rep).amount == Decimal(1500)


def test_the_rep_page_shows_the_leaderboard(crm, manager, rep, client_as) -> None:
    sales_history(owner=manager, rep=rep)
    response = client_as(manager).get("/insights/reps/")
    assert response.status_code == 200
    assert 'id="chart-leaderboard-data"' in response.content.decode()
    assert [row.rep.pk for row in response.context["rows"]] == [manager.pk, rep.pk]


def test_quotas_are_isolated(crm, admin, rep, beta) -> None:
    """A quota set in alpha is not in beta."""
    quota_set(by=admin, owner=rep, month=timezone.localdate(), amount=Decimal(100))
    with schema_context(beta.schema):
        AdminFactory.create(email="quota-admin@beta.example")
        assert not Quota.objects.exists()


def _year(user, **kwargs) -> Scope:
    """The preset "last 12 months" period, which the hourly job precomputes."""
    today = timezone.localdate()
    return Scope(user=fresh(user), start=today - datetime.timedelta(days=364), end=today, **kwargs)


def _counts(rows) -> dict:
    return {row.rep.pk: (row.calls, row.meetings, row.emails, row.tasks) for row in rows}


def test_the_job_counts_activities_and_later_ones_are_added_live(crm, admin, manager) -> None:
    """After the job the admin's counts come from the snapshot (3, 2, 1, 1) plus a call done
    after the job (live, from the job's moment on): 4 calls."""
    from core.jobs.registry import handler_get
    from crm.insights.models import Snapshot

    _activities(manager, timezone.now())
    handler_get("insights.customer_values_refresh").func()
    assert Snapshot.objects.filter(key__startswith="reps:").count() == 5
    rows = rep_activity(_year(admin))
    assert rows.activities_computed_at is not None
    assert _counts(rows)[manager.pk] == (3, 2, 1, 1)
    ActivityFactory.create(owner=manager, kind=ActivityKind.CALL, done_at=timezone.now())
    assert _counts(rep_activity(_year(admin)))[manager.pk] == (4, 2, 1, 1)


def test_reps_and_owner_filters_stay_live_after_the_job(crm, admin, manager, rep) -> None:
    from crm.insights.selectors.reps import rep_figures_precompute

    _activities(manager, timezone.now())
    _activities(rep, timezone.now())
    rep_figures_precompute()
    own = rep_activity(_year(rep))
    assert own.activities_computed_at is None
    assert list(_counts(own)) == [rep.pk]
    filtered = rep_activity(_year(admin, owner_id=rep.pk))
    assert filtered.activities_computed_at is None
    assert _counts(filtered) == {rep.pk: (3, 2, 1, 1)}


def test_the_rep_page_says_when_activities_were_counted(crm, admin, manager, client_as) -> None:
    from crm.insights.models import Snapshot
    from crm.insights.selectors.reps import rep_figures_precompute

    _activities(manager, timezone.now())
    rep_figures_precompute()
    Snapshot.objects.filter(key__startswith="reps:").update(
        computed_at=timezone.now() - datetime.timedelta(minutes=20)
    )
    body = client_as(admin).get("/insights/reps/?period=365d").content.decode()
    assert "activities counted by the hourly refresh 20\xa0minutes ago, later ones live" in body


def test_without_a_query_the_period_picker_shows_the_default_period(
    crm, manager, client_as
) -> None:
    page = client_as(manager).get("/insights/reps/").content.decode()
    assert '<option value="90d" selected>' in page
    assert '<option value="30d" selected>' not in page
