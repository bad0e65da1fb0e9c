"""The sales dashboard's figures against a hand-computed history (``tests/insights/history``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context

from crm.insights.selectors.sales import sales_dashboard
from crm.insights.selectors.scope import Scope
from crm.models import Pipeline
from tests.crm.conftest import fresh
from tests.crm.factories import DealFactory
from tests.factories import AdminFactory
from tests.insights.history import sales_history


def _scope(user, **kwargs) -> Scope:
    today = timezone.localdate()
    return Scope(
        user=fresh(user),
        start=today - datetime.timedelta(days=89),
        end=today,
        pipeline=Pipeline.objects.order_by("position", "id").first(),
        **kwargs,
    )


def test_pipeline_by_stage_counts_values_and_weights(crm, manager, rep) -> None:
    """Qualified: d1 1000 × 10 % = 100; Proposal: d2 100 USD = 90 EUR × 50 % = 45 and d3
    2000 × its own 30 % = 600, so 2 deals, 2090, weighted 645."""
    sales_history(owner=manager, rep=rep)
    board = sales_dashboard(_scope(manager))
    rows = {str(row.stage): (row.count, row.value, row.weighted) for row in board.stages}
    assert rows["Qualified"] == (1, Decimal("1000.00"), Decimal("100.00"))
    assert rows["Proposal"] == (2, Decimal("2090.00"), Decimal("645.00"))
    assert rows["Negotiation"] == (0, Decimal("0.00"), Decimal("0.00"))
    assert (board.open_count, board.open_value) == (3, Decimal("3090.00"))


def test_forecast_by_month_of_expected_close(crm, manager, rep) -> None:
    """This month: d1 weighted 100; next month: d2 weighted 45; d3 has no date."""
    sales_history(owner=manager, rep=rep)
    board = sales_dashboard(_scope(manager))
    months = [row for row in board.forecast if row.count]
    assert [(row.count, row.weighted) for row in months] == [
        (1, Decimal("100.00")),
        (1, Decimal("45.00")),
    ]
    assert months[0].month == timezone.localdate().replace(day=1)
    assert board.undated_open == 1


def test_win_rate_and_sales_cycle(crm, manager, rep) -> None:
    """2 won, 1 lost: 66.7 %; cycles 30 and 20 days: 25.0 days; won value 4000."""
    sales_history(owner=manager, rep=rep)
    outcomes = sales_dashboard(_scope(manager)).outcomes
    assert (outcomes.won, outcomes.lost, outcomes.win_rate) == (2, 1, Decimal("66.7"))
    assert outcomes.cycle_days == Decimal("25.0")
    assert outcomes.won_value == Decimal("4000.00")


def test_pipeline_velocity(crm, manager, rep) -> None:
    """3 open × 2000 average won × 66.7 % ÷ 25 days = 160.08 a day, 4802.40 per 30 days."""
    sales_history(owner=manager, rep=rep)
    velocity = sales_dashboard(_scope(manager)).velocity
    assert velocity.per_day == Decimal("160.08")
    assert velocity.per_month == Decimal("4802.40")


def test_conversion_between_stages_from_the_history(crm, manager, rep) -> None:
    """Furthest stage reached: d1 Q, d2 P, d3 P, w1 Won, w2 Won, l1 C. Reached: Q 6, C 5,
    P 4, N 2, Won 2 → 83.3 %, 80.0 %, 50.0 %, 100.0 %."""
    sales_history(owner=manager, rep=rep)
    rows = sales_dashboard(_scope(manager)).conversion
    assert [(str(r.stage), r.reached, r.rate) for r in rows] == [
        ("Qualified", 6, Decimal("83.3")),
        ("Contact made", 5, Decimal("80.0")),
        ("Proposal", 4, Decimal("50.0")),
        ("Negotiation", 2, Decimal("100.0")),
        ("Won", 2, None),
    ]


def test_time_in_each_stage(crm, manager, rep) -> None:
    """Finished stays: Qualified 10, 5, 10, 20, 10 → 11.0 days; Contact made 3, 7 → 5.0;
    Proposal 10 (w1); Negotiation 10 (w1)."""
    sales_history(owner=manager, rep=rep)
    rows = {
        str(r.stage): (r.stays, r.average_days)
        for r in sales_dashboard(_scope(manager)).stage_times
    }
    assert rows == {
        "Qualified": (5, Decimal("11.0")),
        "Contact made": (2, Decimal("5.0")),
        "Proposal": (1, Decimal("10.0")),
        "Negotiation": (1, Decimal("10.0")),
    }


def test_lost_reasons_and_sources_of_won_value(crm, manager, rep) -> None:
    """l1 lost for "Price" (500); w1 came from a referral lead (3000), w2 from no lead (1000)."""
    sales_history(owner=manager, rep=rep)
    board = sales_dashboard(_scope(manager))
    assert [(r.reason, r.count, r.value) for r in board.lost_reasons] == [
        ("Price", 1, Decimal("500.00"))
    ]
    assert [(r.source, r.count, r.value) for r in board.sources] == [
        ("referral", 1, Decimal("3000.00")),
        ("", 1, Decimal("1000.00")),
    ]
    assert "source=referral" in board.sources[0].url


def test_amounts_without_a_rate_are_left_out_and_named(crm, manager, rep) -> None:
    """A CNY deal without a rate adds nothing to the totals and is reported; USD converts."""
    sales_history(owner=manager, rep=rep)
    DealFactory.create(owner=manager, currency="CNY", amount=Decimal("700"))
    board = sales_dashboard(_scope(manager))
    assert board.missing_rates == ["CNY"]
    assert board.open_value == Decimal("3090.00")
    assert board.open_count == 4
    assert set(board.rates_used) == {"USD"}


def test_a_rep_sees_only_own_deals(crm, manager, rep) -> None:
    """The rep owns w2 only: 1 won, 0 lost, nothing open, won value 1000."""
    sales_history(owner=manager, rep=rep)
    board = sales_dashboard(_scope(rep))
    assert (board.outcomes.won, board.outcomes.lost, board.open_count) == (1, 0, 0)
    assert board.outcomes.won_value == Decimal("1000.00")


def test_owner_filter_narrows_the_figures(crm, manager, rep) -> None:
    """A manager filtering on the rep sees the rep's figures only."""
    sales_history(owner=manager, rep=rep)
    board = sales_dashboard(_scope(manager, owner_id=rep.pk))
    assert (board.outcomes.won, board.open_count) == (1, 0)


def test_the_page_shows_figures_and_chart_data(crm, manager, rep, client_as) -> None:
    """The page renders the KPIs, each chart's JSON with drill-down links, and the tables."""
    sales_history(owner=manager, rep=rep)
    response = client_as(manager).get("/insights/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="chart-pipeline-data"' in body
    assert "/deals/list/?pipeline=" in body
    assert "66.7 %" in body
    assert "vendor/chart.js-4.5.1/chart.umd.min.js" in body


def test_filters_are_validated(crm, manager, client_as) -> None:
    """An unreadable period is a 400 naming the parameter, not an unfiltered page."""
    response = client_as(manager).get("/insights/?start=yesterday")
    assert response.status_code == 400


def test_a_rep_cannot_filter_on_another_owner(crm, rep, other_rep, client_as) -> None:
    """A rep who sees only own records is offered only self as owner; others are refused."""
    response = client_as(rep).get(f"/insights/?owner={other_rep.pk}")
    assert response.status_code == 400


def test_workspaces_are_isolated(crm, manager, rep, beta, client_as) -> None:
    """Alpha's deals never count on beta's dashboard."""
    sales_history(owner=manager, rep=rep)
    from django.test import Client

    from tests.conftest import sign_in

    with schema_context(beta.schema):
        beta_admin = AdminFactory.create(email="insights-admin@beta.example")
    client = sign_in(Client(HTTP_HOST=beta.host), beta, beta_admin)
    response = client.get("/insights/")
    assert response.status_code == 200
    with schema_context(beta.schema):
        board = response.context["board"]
        assert (board.open_count, board.outcomes.won) == (0, 0)


def test_the_dashboard_is_reused_for_a_few_minutes(crm, manager, rep) -> None:
    """A second look within the cache window shows the same figures and when they were
    computed; another viewer's visibility has its own figures."""
    sales_history(owner=manager, rep=rep)
    first = sales_dashboard(_scope(manager))
    DealFactory.create(owner=manager, amount=Decimal("5"))
    again = sales_dashboard(_scope(manager))
    assert (again.open_count, again.computed_at) == (first.open_count, first.computed_at)
    assert sales_dashboard(_scope(rep)).open_count == 0


def _no_history_query(board_of) -> Any:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        board = board_of()
    assert not any("crm_stagetransition" in q["sql"] for q in queries.captured_queries)
    return board


def test_the_job_precomputes_conversion_and_time_in_stage(crm, manager, rep) -> None:
    """After the hourly job, the dashboard reads the stored figures (no stage-history query)
    and they are the hand-computed ones of the live tests above."""
    from core.jobs.registry import handler_get

    sales_history(owner=manager, rep=rep)
    handler_get("insights.customer_values_refresh").func()
    board = _no_history_query(lambda: sales_dashboard(_scope(manager)))
    assert board.stages_computed_at is not None
    assert [(str(r.stage), r.reached, r.rate) for r in board.conversion] == [
        ("Qualified", 6, Decimal("83.3")),
        ("Contact made", 5, Decimal("80.0")),
        ("Proposal", 4, Decimal("50.0")),
        ("Negotiation", 2, Decimal("100.0")),
        ("Won", 2, None),
    ]
    assert {str(r.stage): (r.stays, r.average_days) for r in board.stage_times} == {
        "Qualified": (5, Decimal("11.0")),
        "Contact made": (2, Decimal("5.0")),
        "Proposal": (1, Decimal("10.0")),
        "Negotiation": (1, Decimal("10.0")),
    }


def test_a_rep_and_an_owner_filter_read_their_own_precomputed_figures(crm, manager, rep) -> None:
    """The job also stores each owner's figures: a rep who sees own deals only, and a manager
    filtering on one owner, read them (no stage-history query) and they equal the live ones."""
    from crm.insights.selectors.sales import stage_figures_precompute

    sales_history(owner=manager, rep=rep)

    def figures(scope):
        board = sales_dashboard(scope)
        return (
            [(r.stage.pk, r.reached, r.reached_next) for r in board.conversion],
            [(r.stage.pk, r.stays, r.average_days) for r in board.stage_times],
        )

    live_rep = figures(_scope(rep))
    live_owner = figures(_scope(manager, owner_id=rep.pk))
    stage_figures_precompute()
    from django.core.cache import cache

    cache.clear()
    assert _no_history_query(lambda: figures(_scope(rep))) == live_rep
    cache.clear()
    assert _no_history_query(lambda: figures(_scope(manager, owner_id=rep.pk))) == live_owner
    assert sales_dashboard(_scope(rep)).stages_computed_at is not None
    assert live_rep[0] != figures(_scope(manager))[0]


def test_an_owner_without_deals_reads_empty_precomputed_figures(crm, manager, rep) -> None:
    """An owner with no deal in the period has no stored entry: nothing reached, no stays."""
    from crm.insights.selectors.sales import stage_figures_precompute

    sales_history(owner=manager, rep=rep)
    idle = AdminFactory.create()
    stage_figures_precompute()
    board = _no_history_query(lambda: sales_dashboard(_scope(manager, owner_id=idle.pk)))
    assert [r.reached for r in board.conversion] == [0, 0, 0, 0, 0]
    assert [r.stays for r in board.stage_times] == [0, 0, 0, 0]


def test_another_owners_filter_for_a_rep_stays_live_and_empty(crm, manager, rep) -> None:
    """A rep who sees own deals only and filters on someone else sees nothing (live)."""
    from crm.insights.selectors.sales import stage_figures_precompute

    sales_history(owner=manager, rep=rep)
    stage_figures_precompute()
    board = sales_dashboard(_scope(rep, owner_id=manager.pk))
    assert board.stages_computed_at is None
    assert [r.reached for r in board.conversion] == [0, 0, 0, 0, 0]


def test_the_dashboard_takes_at_most_eight_queries_cold(crm, manager, rep) -> None:
    """Merged figures: outcomes, currencies and open deals by stage and month in one query
    over the deals, the stages read once, the precomputed conversion and stays in one read."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from crm.insights.selectors.sales import stage_figures_precompute

    sales_history(owner=manager, rep=rep)
    stage_figures_precompute()
    cache.clear()
    scope = _scope(manager, owner_id=rep.pk)
    with CaptureQueriesContext(connection) as queries:
        sales_dashboard(scope)
    assert len(queries.captured_queries) <= 8


def test_the_page_says_when_conversion_was_precomputed(crm, manager, rep, client_as) -> None:
    from crm.insights.models import Snapshot
    from crm.insights.selectors.sales import stage_figures_precompute

    sales_history(owner=manager, rep=rep)
    body = client_as(manager).get("/insights/").content.decode()
    assert 'data-testid="stages-freshness"' not in body
    stage_figures_precompute()
    Snapshot.objects.filter(key__startswith="stages:").update(
        computed_at=timezone.now() - datetime.timedelta(minutes=20)
    )
    from django.core.cache import cache

    cache.clear()
    body = client_as(manager).get("/insights/").content.decode()
    assert "conversion and time in stage computed 20\xa0minutes ago" in body


def test_an_old_snapshot_is_not_used(crm, manager, rep) -> None:
    """A snapshot older than two hours (the job stopped) is ignored: figures are live."""
    from crm.insights.models import Snapshot
    from crm.insights.selectors.sales import stage_figures_precompute

    sales_history(owner=manager, rep=rep)
    stage_figures_precompute()
    Snapshot.objects.filter(key__startswith="stages:").update(
        computed_at=timezone.now() - datetime.timedelta(hours=3), data={}
    )
    board = sales_dashboard(_scope(manager))
    assert board.stages_computed_at is None
    assert [r.reached for r in board.conversion] == [6, 5, 4, 2, 2]
