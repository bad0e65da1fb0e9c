"""Signup-to-usable time: warm pool vs. empty pool (clone) vs. plain django-tenants migrations.

Run: ``make bench`` or ``.venv/bin/python bench/provisioning.py [--signups N] [--noop-tenants M]``

Each signup goes through the real path: GET and POST the public signup form, follow the
progress page (polling the status endpoint the way the page does, every 50 ms) to the handoff
link, redeem it on the new workspace's host, and load the dashboard (200, signed in). The
timer runs from the POST to the dashboard answering.

(a) warm: a pooled schema is claimed (no DDL while the customer waits).
(b) cold: the pool is empty; a Celery worker clones the template schema.
(c) baseline: django-tenants' own path, ``auto_create_schema`` running every tenant
    migration into a new schema (the same apps), timed for the schema alone.
(d) browser: what a person waits for. Chromium (Playwright, the system binary) fills the signup
    form on a threaded server and clicks "Create my workspace"; the timer runs from the click
    to the dashboard's ``load`` event on the new workspace's host (warm pool). Each run also
    records where the time went (every response of the redirect chain, and static assets).
Then the cost of a no-op migration check over M tenants: ``migrate_schemas`` (multiprocessing
executor) versus the one-query "anything pending?" check.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import (
    Browser,
    Stopwatch,
    celery_worker,
    configure,
    drop_database,
    live_server,
    percentile,
    summarise,
)

DATABASE = "rapport_bench_provisioning"


def signup_once(browser: Browser, port: int, slug: str) -> float:
    """One signup through HTTP; returns seconds from POST to the dashboard answering 200."""
    base = f"http://localhost:{port}"
    _, form = browser.get(f"{base}/signup/")
    assert b"signup-form" in form
    data = {
        "company_name": f"Bench {slug}",
        "slug": slug,
        "admin_name": "Bench Admin",
        "email": f"admin@{slug}.example",
        "password": "a-long-passphrase",
        "plan": "growth",
        "country": "DE",
        "language": "en",
    }
    import re

    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None
    started = time.perf_counter()
    response, body = browser.request(
        "POST", f"{base}/signup/", {**data, "csrfmiddlewaretoken": token.group(1).decode()}
    )
    assert response.status == 302, body[:500]
    progress = response.getheader("Location") or ""
    handoff = _wait_for_handoff(browser, f"{base}{progress}")
    response, _ = browser.get(handoff)
    assert response.status == 302, response.status
    response, page = browser.get(f"http://{slug}.localhost:{port}/")
    assert response.status == 200, response.status
    assert b'data-testid="dashboard"' in page
    return time.perf_counter() - started


def _wait_for_handoff(browser: Browser, progress_url: str, timeout: float = 60.0) -> str:
    response, _ = browser.get(progress_url)
    if response.status == 302:
        return response.getheader("Location") or ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response, body = browser.get(f"{progress_url}status/", headers={"HX-Request": "true"})
        redirect = response.getheader("HX-Redirect")
        if redirect:
            return redirect
        if response.status == 286:
            raise RuntimeError(f"Provisioning failed: {body[:300]!r}")
        time.sleep(0.05)
    raise TimeoutError("Workspace was not ready in time")


def run_signups(port: int, count: int, prefix: str) -> list[float]:
    return [
        signup_once(Browser(port), port, f"{prefix}-{index}-{uuid.uuid4().hex[:4]}")
        for index in range(count)
    ]


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_signups(port: int, count: int) -> tuple[list[float], list[list[tuple[float, str]]]]:
    """Signups in Chromium: seconds from the click to the dashboard's load event, and per run
    the responses that arrived (seconds after the click, method, status and URL)."""
    import re

    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    timings: list[float] = []
    traces: list[list[tuple[float, str]]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for index in range(count):
            slug = f"browser-{index}-{uuid.uuid4().hex[:4]}"
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"http://localhost:{port}/signup/")
            page.get_by_label("Company name").fill(f"Browser {slug}")
            page.get_by_label("Workspace address").fill(slug)
            page.get_by_label("Your name").fill("Bench Admin")
            page.get_by_label("Work email").fill(f"admin@{slug}.example")
            page.get_by_label("Password").fill("a-long-passphrase")
            page.get_by_label("Country").select_option("DE")
            trace: list[tuple[float, str]] = []
            started = time.perf_counter()
            page.on(
                "response",
                lambda response, trace=trace, started=started: trace.append(
                    (
                        time.perf_counter() - started,
                        f"{response.request.method} {response.status} {response.url}",
                    )
                ),
            )
            page.get_by_role("button", name="Create my workspace").click()
            page.wait_for_url(
                re.compile(rf"http://{slug}\.localhost:{port}/$"), wait_until="load", timeout=60_000
            )
            timings.append(time.perf_counter() - started)
            page.get_by_test_id("dashboard").wait_for()
            traces.append(trace)
            context.close()
        browser.close()
    return timings, traces


def print_trace(trace: list[tuple[float, str]]) -> None:
    """Where the time of one browser signup went."""
    for seconds, what in trace:
        print(f"    {seconds * 1000:7.0f} ms  {what}")


def baseline_migrations(count: int) -> list[float]:
    """django-tenants without a template: every migration runs into each new schema."""
    from django.test import override_settings

    from tenants.models import Tenant
    from tenants.services import generate_schema_name

    timings = []
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
        for index in range(count):
            tenant = Tenant(schema_name=generate_schema_name(), name=f"Baseline {index}")
            tenant.auto_create_schema = True
            with Stopwatch() as watch:
                tenant.save(verbosity=0)
            timings.append(watch.seconds)
            tenant.status = "pooled"
            tenant.save()
    return timings


def noop_migration_check(tenant_count: int) -> tuple[float, float, int]:
    """Time a no-op ``migrate_schemas`` and the fast check over ``tenant_count`` schemas."""
    from django.core.management import call_command

    from tenants.models import Tenant
    from tenants.pool import pool_tenant_create
    from tenants.schema_state import schemas_behind

    while Tenant.objects.exclude(schema_name="public").count() < tenant_count:
        pool_tenant_create()
    schemas = list(
        Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True)
    )
    with Stopwatch() as migrate_watch:
        call_command(
            "migrate_schemas",
            tenant=True,
            executor="multiprocessing",
            interactive=False,
            verbosity=0,
        )
    with Stopwatch() as fast_watch:
        behind = schemas_behind(schemas)
    assert behind == {}, behind
    return migrate_watch.seconds, fast_watch.seconds, len(schemas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signups", type=int, default=int(os.environ.get("BENCH_SIGNUPS", 20)))
    parser.add_argument("--baseline", type=int, default=5, help="baseline schemas to migrate")
    parser.add_argument("--browser-signups", type=int, default=10)
    parser.add_argument("--noop-tenants", type=int, default=200)
    args = parser.parse_args()

    configure(DATABASE, redis_db=12)
    from django.conf import settings

    # Static files as production serves them: indexed once at start-up, not re-scanned on
    # every request as the development autorefresh does (which slowed each asset here).
    settings.WHITENOISE_AUTOREFRESH = False
    from django.core.management import call_command

    from tenants.models import Tenant, TenantStatus
    from tenants.pool import pool_refill
    from tenants.services import public_tenant_ensure, template_ensure

    try:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        public_tenant_ensure()
        template_ensure()
        print(f"Signups per scenario: {args.signups}")
        with celery_worker(), live_server() as port:
            settings.TENANT_POOL_SIZE = args.signups
            pool_refill(target=args.signups)
            warm = run_signups(port, args.signups, "warm")
            print(summarise("(a) warm pool", warm))
            time.sleep(1)
            settings.TENANT_POOL_SIZE = 0
            Tenant.objects.filter(status=TenantStatus.POOLED).update(status=TenantStatus.CLOSED)
            cold = run_signups(port, args.signups, "cold")
            print(summarise("(b) empty pool (clone)", cold))
        with celery_worker(), live_server(threaded=True) as port:
            settings.TENANT_POOL_SIZE = args.browser_signups
            pool_refill(target=args.browser_signups)
            in_browser, traces = browser_signups(port, args.browser_signups)
            print(summarise("(d) browser, warm pool", in_browser))
            slowest = max(range(len(in_browser)), key=in_browser.__getitem__)
            median = sorted(range(len(in_browser)), key=in_browser.__getitem__)[
                len(in_browser) // 2
            ]
            print("  median browser signup, response by response:")
            print_trace(traces[median])
            print("  slowest browser signup:")
            print_trace(traces[slowest])
            settings.TENANT_POOL_SIZE = 0
        baseline = baseline_migrations(args.baseline)
        print(summarise("(c) baseline migrations", baseline))
        ratio_cold = percentile(baseline, 0.95) / percentile(cold, 0.95)
        ratio_warm = percentile(baseline, 0.95) / percentile(warm, 0.95)
        print(f"baseline p95 / cold p95 = {ratio_cold:.1f}x; / warm p95 = {ratio_warm:.1f}x")
        migrate_s, fast_s, schemas = noop_migration_check(args.noop_tenants)
        print(f"no-op migrate_schemas (multiprocessing) over {schemas} schemas: {migrate_s:.2f}s")
        print(f"fast 'anything pending?' check over {schemas} schemas:       {fast_s:.3f}s")
        print(
            f"BENCH provisioning n={args.signups} warm_p95_s={percentile(warm, 0.95):.3f} "
            f"browser_warm_p50_s={percentile(in_browser, 0.5):.3f} "
            f"browser_warm_p95_s={percentile(in_browser, 0.95):.3f} "
            f"cold_p95_s={percentile(cold, 0.95):.3f} "
            f"baseline_p95_s={percentile(baseline, 0.95):.3f} "
            f"ratio_cold={ratio_cold:.1f} noop_migrate_{args.noop_tenants}_s={migrate_s:.2f} "
            f"fastcheck_{args.noop_tenants}_s={fast_s:.3f}"
        )
    finally:
        drop_database(DATABASE)


if __name__ == "__main__":
    main()
