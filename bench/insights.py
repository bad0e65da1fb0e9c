"""Insights pages of a big workspace: server-side p95 of each dashboard, the RFM refresh and
the win-probability list (and the issue-15 additions: service KPIs over 20k cases, the
deal page's win probability, the value panel with its trend, the look-after card, a segment
filtered by customer value).

Seeds one workspace (``bench-insights``, in a throwaway database) with 100k contacts, 20k
companies, 20k leads, 30k deals and 300k activities through PostgreSQL ``COPY`` (the seed of
``bench/crm_pages.py``), then gives the won and lost deals their closing moments and reasons,
a stage history of two to four steps, a share of leads converted to deals, a few deals in
USD with a rate, and quotas. Each page is requested through the full Django stack in-process
(admin and a sales rep): p50/p95 of repeated requests (the sales dashboard and the
win-probability evidence are then served from their short-lived cache) and, apart, the median
of three "cold" requests after emptying the cache (what the first viewer in the cache window
waits; the figures the hourly job precomputes stay, as they would). The customer-value
refresh and the whole hourly job (values, win-probability evidence, each pipeline's
conversion and time in stage) are timed on their own, and the job runs before the pages.

    .venv/bin/python bench/insights.py               # seed, measure, drop
    .venv/bin/python bench/insights.py --keep        # keep the database afterwards
    .venv/bin/python bench/insights.py --reuse       # measure a kept one again

Ends with ``BENCH insight contacts=<N> deals=<N> worst_p95_ms=<x> worst_page=<name>
rfm_refresh_s=<s> <page>_p95_ms=<x> …``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import configure, drop_database, percentile
from bench.crm_pages import measure, seed

DATABASE = "rapport_bench_insights"
SLUG = "bench-insights"
TARGET_P95_MS = 100.0


def seed_insights() -> None:
    """Closing moments, reasons, stage histories, converted leads, a second currency, quotas."""
    from django.db import connection

    statements = [
        # Won and lost deals closed 1-120 days after creation (never in the future).
        """UPDATE crm_deal d SET won_at = LEAST(now(), d.created_at
                + (1 + (d.id * 7919) %% 120) * interval '1 day')
           FROM crm_stage s WHERE s.id = d.stage_id AND s.kind = 'won'""",
        """UPDATE crm_deal d SET lost_at = LEAST(now(), d.created_at
                + (1 + (d.id * 104729) %% 120) * interval '1 day'),
               lost_reason = (ARRAY['Price', 'Competitor', 'No budget', 'Timing', ''])
                   [1 + d.id %% 5]
           FROM crm_stage s WHERE s.id = d.stage_id AND s.kind = 'lost'""",
        # One more step in the history for every deal not in the first stage: into its stage.
        """INSERT INTO crm_stagetransition (deal_id, from_stage_id, to_stage_id, moved_at,
                                           moved_by_id, amount)
           SELECT d.id, first.id, d.stage_id,
                  COALESCE(d.won_at, d.lost_at, d.created_at + interval '3 days'), d.owner_id,
                  d.amount
           FROM crm_deal d
           JOIN crm_stage first ON first.pipeline_id = d.pipeline_id AND first.position = 0
           WHERE d.stage_id <> first.id""",
        # Every third deal also went through the stage before its own.
        """INSERT INTO crm_stagetransition (deal_id, from_stage_id, to_stage_id, moved_at,
                                           moved_by_id, amount)
           SELECT d.id, NULL, prev.id, d.created_at + interval '1 day', d.owner_id, d.amount
           FROM crm_deal d JOIN crm_stage s ON s.id = d.stage_id
           JOIN crm_stage prev ON prev.pipeline_id = d.pipeline_id
                AND prev.position = LEAST(s.position, 4) - 1 AND prev.position > 0
           WHERE d.id %% 3 = 0""",
        # A converted lead behind one deal in four.
        """UPDATE crm_lead l SET converted_deal_id = l.id * 4, status = 'converted',
                                 converted_at = now()
           WHERE l.id * 4 <= (SELECT MAX(id) FROM crm_deal)""",
        "UPDATE crm_deal SET currency = 'USD' WHERE id %% 10 = 0",
        """INSERT INTO crm_exchangerate (currency, base_currency, rate, valid_from, created_at)
           VALUES ('USD', 'EUR', 0.9, now()::date - 400, now())""",
        """INSERT INTO insights_quota (owner_id, month, amount, currency, created_at, updated_at)
           SELECT u.id, date_trunc('month', now())::date - (m * interval '1 month'), 150000,
                  'EUR', now(), now()
           FROM users_user u CROSS JOIN generate_series(0, 11) m""",
        "VACUUM ANALYZE",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, [])


def seed_cases(count: int) -> None:
    """Service cases over the last year: opened in and out of business hours, answered after
    0-48 hours, three in four resolved, one in eight breached, one in five rated (SQL)."""
    from django.db import connection

    statement = """
        INSERT INTO service_case (number, subject, description, priority, status, channel,
            created_at, updated_at, first_responded_at, resolved_at, paused_business_minutes,
            first_response_breached_at, csat_score, csat_comment, assignee_id, contact_id)
        SELECT g, 'Case ' || g, '',
               (ARRAY['low', 'normal', 'normal', 'high', 'urgent'])[1 + g %% 5],
               CASE WHEN g %% 4 = 0 THEN 'open' ELSE 'resolved' END, 'email',
               opened, opened,
               opened + ((g * 7919) %% 2880) * interval '1 minute',
               CASE WHEN g %% 4 = 0 THEN NULL
                    ELSE opened + ((g * 104729) %% 200) * interval '1 hour' END,
               (g %% 3) * 20,
               CASE WHEN g %% 8 = 0 THEN opened + interval '1 day' END,
               CASE WHEN g %% 5 = 0 THEN 1 + g %% 5 END, '',
               (SELECT id FROM users_user ORDER BY id OFFSET g %% 4 LIMIT 1),
               g
        FROM generate_series(1, %s) g,
             LATERAL (SELECT now() - ((g * 31337) %% 525600) * interval '1 minute'
                      - interval '3 days' AS opened) o
    """
    with connection.cursor() as cursor:
        cursor.execute(statement, [count])
        cursor.execute("ANALYZE service_case")


def forget_insights_cache() -> None:
    """Drop the insights pages' cached figures (only those: the Redis database may be shared)."""
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    keys = list(client.scan_iter(match="*insights:*"))
    if keys:
        client.delete(*keys)


def best_of_three(work: Callable[[], object]) -> float:
    """The shortest of three runs of ``work``, in seconds."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--deals", type=int, default=30_000)
    parser.add_argument("--activities", type=int, default=300_000)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--redis-db", type=int, default=12, help="Redis database to use")
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 20)))
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept before")
    parser.add_argument("--database", default=DATABASE, help="name of the throwaway database")
    args = parser.parse_args()

    configure(args.database, redis_db=args.redis_db, recreate=not args.reuse)
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django_tenants.utils import schema_context

    from crm.insights.customer_value import customer_values_refresh
    from crm.insights.models import CustomerValue
    from tenants.models import Tenant
    from tenants.services import public_tenant_ensure, template_ensure, tenant_create
    from tenants.users.models import Role, User

    keep = args.keep or args.reuse
    try:
        if args.reuse:
            call_command("migrate_schemas", interactive=False, verbosity=0)
            tenant = Tenant.objects.get(slug=SLUG)
        else:
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
            public_tenant_ensure()
            template_ensure()
            tenant = tenant_create(name="Bench Insights", slug=SLUG)
            started = time.perf_counter()
            with schema_context(tenant.schema_name):
                seed(
                    contacts=args.contacts,
                    companies=args.companies,
                    leads=args.leads,
                    deals=args.deals,
                    activities=args.activities,
                )
                seed_insights()
                seed_cases(args.cases)
            print(f"seeded in {time.perf_counter() - started:.1f}s")
        print(f"DEBUG={settings.DEBUG} (must be False for representative timings)")
        with schema_context(tenant.schema_name):
            rows = customer_values_refresh()
            refresh_s = best_of_three(customer_values_refresh)
            # The whole hourly job: customer values, then the precomputed evidence and each
            # pipeline's conversion and time in stage the pages read (best of three).
            from core.jobs.registry import handler_get

            job_s = best_of_three(handler_get("insights.customer_values_refresh").func)
            # The return page compares with the go-live baseline; its heavy figures (adoption
            # per week, next-activity share, duplicates split at go-live) refresh hourly too.
            import datetime

            from django.utils import timezone

            from onboarding.models import GoLiveBaseline

            GoLiveBaseline.objects.get_or_create(
                defaults={
                    "go_live_on": timezone.localdate() - datetime.timedelta(days=60),
                    "period_days": 90,
                    "currency": "EUR",
                    "won_deals": 10,
                    "lost_deals": 10,
                    "win_rate": 50,
                    "average_sales_cycle_days": 40,
                    "sellers": 5,
                    "activities_per_seller": 100,
                    "revenue_per_seller": 10_000,
                }
            )
            return_s = best_of_three(handler_get("onboarding.return_figures").func)
            at_risk = CustomerValue.objects.filter(at_risk=True).count()
            admin = User.objects.get(email="admin@bench.example")
            rep = User.objects.filter(role=Role.REP).order_by("id").first()
            company_id = (
                CustomerValue.objects.filter(kind="company", at_risk=True)
                .values_list("record_id", flat=True)
                .first()
            )
            rep_company_id = (
                CustomerValue.objects.filter(kind="company", owner_id=rep.pk)  # type: ignore[union-attr]
                .values_list("record_id", flat=True)
                .first()
            )
            from crm.marketing.models import Segment
            from crm.models import Deal, StageKind

            deal_id = (
                Deal.objects.filter(stage__kind=StageKind.OPEN)
                .order_by("-amount")
                .values_list("pk", flat=True)
                .first()
            )
            segment, _made = Segment.objects.get_or_create(
                name="Bench: at-risk loyal companies",
                defaults={
                    "record_type": "company",
                    "filters": {"value_segment": "loyal", "value_at_risk": "on"},
                    "owner": admin,
                },
            )
        print(f"customer values: {rows} rows ({at_risk} at risk), refresh {refresh_s:.2f}s")
        print(f"hourly insights job (values + precomputed figures): {job_s:.2f}s")
        print(f"hourly return-page figures: {return_s:.2f}s")
        host = f"{SLUG}.localhost"
        clients = {"admin": Client(HTTP_HOST=host), "rep": Client(HTTP_HOST=host)}
        with schema_context(tenant.schema_name):
            clients["admin"].force_login(admin)
            clients["rep"].force_login(rep)  # type: ignore[arg-type]
        pages = [
            ("sales_90d", "admin", "/insights/"),
            ("sales_year", "admin", "/insights/?period=365d"),
            ("sales_owner", "admin", f"/insights/?period=365d&owner={rep.pk}"),  # type: ignore[union-attr]
            ("sales_rep", "rep", "/insights/?period=365d"),
            ("reps_90d", "admin", "/insights/reps/"),
            ("reps_year", "admin", "/insights/reps/?period=365d"),
            ("reps_rep", "rep", "/insights/reps/?period=365d"),
            ("customers", "admin", "/insights/customers/"),
            ("customers_contacts", "admin", "/insights/customers/?kind=contact"),
            ("customers_rep", "rep", "/insights/customers/"),
            ("win_probability", "admin", "/insights/probability/"),
            ("win_probability_rep", "rep", "/insights/probability/"),
            ("company_list_flags", "admin", "/companies/"),
            ("company_page", "admin", f"/companies/{company_id}/"),
            ("company_value_flag", "admin", f"/insights/customers/company/{company_id}/value/"),
            ("company_value_rep", "rep", f"/insights/customers/company/{rep_company_id}/value/"),
            ("home_look_after", "admin", "/insights/customers/look-after/"),
            ("home_look_after_rep", "rep", "/insights/customers/look-after/"),
            ("deal_page", "admin", f"/deals/{deal_id}/"),
            ("return_adoption", "admin", "/insights/return/"),
            ("adoption_users", "admin", "/settings/adoption/"),
            ("deal_win_probability", "admin", f"/insights/probability/deal/{deal_id}/"),
            ("service_90d", "admin", "/insights/service/"),
            ("service_year", "admin", "/insights/service/?period=365d"),
            ("service_owner", "admin", f"/insights/service/?period=365d&owner={rep.pk}"),  # type: ignore[union-attr]
            ("service_summary", "rep", "/insights/service/summary/?period=365d"),
            ("segment_value_size", "admin", f"/marketing/segments/{segment.pk}/size/"),
        ]
        # The report builder, in the shapes the issue names: a record kind, one or two
        # groupings (dates by week / month / quarter), count, sum and average.
        reports = {
            "report_deals_stage_sum": ("admin", "record=deal&by=stage&measure=sum&field=amount"),
            "report_deals_month_owner": (
                "admin",
                "record=deal&by=created&step=month&then=owner&measure=count",
            ),
            "report_deals_quarter_avg": (
                "admin",
                "record=deal&by=expected_close&step=quarter&measure=avg&field=amount",
            ),
            "report_contacts_week": ("admin", "record=contact&by=created&step=week&measure=count"),
            "report_activities_kind_owner": (
                "admin",
                "record=activity&by=kind&then=owner&measure=count",
            ),
            "report_leads_source_status": (
                "admin",
                "record=lead&by=source&then=status&measure=count",
            ),
            "report_rep_deals_stage": ("rep", "record=deal&by=stage&measure=sum&field=amount"),
        }
        pages += [(name, role, f"/insights/reports/?{q}") for name, (role, q) in reports.items()]
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'page':<28}{'p50 ms':>8}{'p95 ms':>8}{'cpu ms':>8}{'queries':>8}{'cold ms':>9}"
              f"{'cold cpu':>9}")  # fmt: skip
        base, _cpu, _queries, _status = measure(clients["admin"].get, "/healthz", args.repeat)
        baseline_p95 = percentile(base, 0.95)
        print(f"{'baseline: health check':<28}{percentile(base, 0.5):>8.1f}{baseline_p95:>8.1f}")
        results: list[tuple[float, str]] = []
        #: A request after the cache was emptied: what the first viewer in 5 minutes waits.
        colds: list[tuple[float, str]] = []
        for name, role, url in pages:
            timings, cpu, queries, status = measure(clients[role].get, url, args.repeat)
            assert status == 200, (url, status)
            p95 = percentile(timings, 0.95)
            cold, cold_cpu = [], []
            for _ in range(3):
                forget_insights_cache()
                started, cpu_started = time.perf_counter(), time.process_time()
                clients[role].get(url)
                cold.append((time.perf_counter() - started) * 1000)
                cold_cpu.append((time.process_time() - cpu_started) * 1000)
            flag = "" if p95 <= TARGET_P95_MS else "  <-- over"
            print(
                f"{name:<28}{percentile(timings, 0.5):>8.1f}{p95:>8.1f}"
                f"{percentile(cpu, 0.5):>8.1f}{queries:>8}{percentile(cold, 0.5):>9.1f}"
                f"{percentile(cold_cpu, 0.5):>9.1f}{flag}"
            )
            results.append((p95, name))
            colds.append((percentile(cold, 0.5), name))
        worst_p95, worst_page = max(results)
        worst_cold, worst_cold_page = max(colds)
        figures = " ".join(f"{name}_p95_ms={p95:.1f}" for p95, name in results)
        print(
            f"BENCH insight contacts={args.contacts} deals={args.deals} "
            f"worst_p95_ms={worst_p95:.1f} worst_page={worst_page} rfm_refresh_s={refresh_s:.2f} "
            f"insights_job_s={job_s:.2f} return_figures_s={return_s:.2f} "
            f"worst_cold_ms={worst_cold:.1f} worst_cold_page={worst_cold_page} "
            f"healthz_p95_ms={baseline_p95:.1f} "
            f"{figures}"
        )
    finally:
        if not keep:
            drop_database(args.database)


if __name__ == "__main__":
    main()
