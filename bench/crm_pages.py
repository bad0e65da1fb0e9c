"""CRM pages on a big workspace: server-side latency and query counts.

Seeds one workspace (``bench-crm``, in a throwaway database) with 100k contacts, 20k
companies, 30k deals and 300k activities through PostgreSQL ``COPY``, then requests each page
through the full Django stack (middleware, tenant routing, session, templates) in-process and
prints p50/p95 and the number of SQL queries. The baseline is the workspace health check,
measured in the same run.

    DJANGO_SETTINGS_MODULE=config.settings.local .venv/bin/python bench/crm_pages.py

Ends with ``BENCH crm_pages contacts=<N> worst_p95_ms=<x> max_queries=<n>``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import configure, drop_database, percentile

DATABASE = "rapport_bench_crm"
SLUG = "bench-crm"
FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Klara",
    "Luca",
    "Mona",
    "Nils",
    "Olga",
    "Pavel",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
]
LAST = [
    "Schmidt",
    "Novak",
    "Rossi",
    "Dubois",
    "Jensen",
    "Kowalski",
    "Silva",
    "Murphy",
    "Larsen",
    "Horvat",
    "Moreau",
    "Fischer",
    "Bianchi",
    "Varga",
    "Nagy",
    "Costa",
    "Berg",
    "Popescu",
]
WORDS = [
    "Alpine",
    "Blue",
    "Cedar",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Maple",
    "Nimbus",
    "Orbit",
    "Pioneer",
    "Quartz",
    "River",
]
SUFFIX = ["GmbH", "Ltd", "SA", "AB", "Oy", "BV", "Srl", "Inc"]


def copy_rows(table: str, columns: list[str], rows: Iterable[tuple[object, ...]]) -> int:
    """Stream rows into ``table`` with COPY (tab-separated, ``\\N`` for NULL)."""
    from django.db import connection

    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row))
        buffer.write("\n")
        count += 1
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
    return count


def seed(*, contacts: int, companies: int, deals: int, activities: int) -> dict[str, object]:
    """Fill the current schema; returns ids the page requests need."""
    from django.db import connection

    from crm.models import Pipeline, Tag
    from tenants.users.models import Role, User

    rng = random.Random(42)  # noqa: S311 -- reproducible test data, not security
    now = datetime.now(UTC)
    users = [User.objects.create_user("admin@bench.example", "x", full_name="Bench Admin",
                                      role=Role.ADMIN)]  # fmt: skip
    users += [
        User.objects.create_user(f"rep{i}@bench.example", "x", full_name=f"Rep {i}", role=Role.REP)
        for i in range(9)
    ]
    user_ids = [u.pk for u in users]
    tags = [Tag.objects.create(name=name) for name in ("vip", "partner", "churn-risk", "fair")]
    stages = list(Pipeline.objects.get(name="Sales").stages.order_by("position"))
    pipeline_id = stages[0].pipeline_id

    def when(days: int = 720) -> str:
        return (now - timedelta(seconds=rng.randrange(days * 86400))).isoformat()

    copy_rows(
        "crm_company",
        ["id", "name", "domain", "industry", "size", "address", "city", "country", "phone",
         "owner_id", "custom", "created_at", "updated_at"],
        (
            (i, f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i} {rng.choice(SUFFIX)}",
             f"company{i}.example", "Manufacturing", "11-50", "", "Berlin", "Germany", "",
             rng.choice(user_ids), "{}", when(), when(90))
            for i in range(1, companies + 1)
        ),
    )  # fmt: skip
    copy_rows(
        "crm_contact",
        ["id", "first_name", "last_name", "title", "email", "extra_emails", "phone", "mobile",
         "extra_phones", "address", "city", "country", "email_opt_out", "phone_opt_out",
         "owner_id", "custom", "created_at", "updated_at"],
        (
            (i, rng.choice(FIRST), f"{rng.choice(LAST)}{i}", "Buyer",
             f"person{i}@mail{i % 97}.example", "{}", f"+49 30 {i:07d}", "", "{}", "",
             "Berlin", "Germany", "f", "f",
             rng.choice(user_ids), json.dumps({"tier": rng.choice("ABC")}), when(), when(90))
            for i in range(1, contacts + 1)
        ),
    )  # fmt: skip
    copy_rows(
        "crm_contactcompany",
        ["contact_id", "company_id", "role", "created_at"],
        ((i, rng.randrange(1, companies + 1), "employee", when()) for i in range(1, contacts + 1)),
    )
    copy_rows(
        "crm_contact_tags",
        ["contact_id", "tag_id"],
        ((i, rng.choice(tags).pk) for i in range(1, contacts + 1, 3)),
    )
    weights = [4, 3, 2, 2, 3, 3]
    copy_rows(
        "crm_deal",
        ["id", "title", "company_id", "pipeline_id", "stage_id", "amount", "currency",
         "probability", "owner_id", "lost_reason", "position", "stage_entered_at", "custom",
         "created_at", "updated_at"],
        (
            (i, f"{rng.choice(WORDS)} deal {i}", rng.randrange(1, companies + 1), pipeline_id,
             rng.choices(stages, weights)[0].pk, rng.randrange(500, 90000), "EUR", None,
             rng.choice(user_ids), "", rng.random() * 1000, when(60), "{}", when(), when(60))
            for i in range(1, deals + 1)
        ),
    )  # fmt: skip
    copy_rows(
        "crm_deal_tags",
        ["deal_id", "tag_id"],
        ((i, rng.choice(tags).pk) for i in range(1, deals + 1, 4)),
    )
    copy_rows(
        "crm_stagetransition",
        ["deal_id", "from_stage_id", "to_stage_id", "moved_at", "moved_by_id", "amount"],
        ((i, None, stages[0].pk, when(), user_ids[0], 1000) for i in range(1, deals + 1)),
    )
    kinds = ["call", "meeting", "task", "email", "note", "letter"]
    copy_rows(
        "crm_activity",
        ["kind", "subject", "body", "due_at", "done_at", "outcome", "owner_id", "contact_id",
         "company_id", "deal_id", "created_at", "updated_at"],
        (
            (rng.choice(kinds), f"Follow-up {i}", "", when(30), None if i % 3 else when(30), "",
             rng.choice(user_ids), rng.randrange(1, contacts + 1), rng.randrange(1, companies + 1),
             rng.randrange(1, deals + 1) if i % 2 else None, when(), when(30))
            for i in range(1, activities + 1)
        ),
    )  # fmt: skip
    with connection.cursor() as cursor:
        for table in ("crm_company", "crm_contact", "crm_deal", "crm_activity"):
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            cursor.execute(f"SELECT setval({sequence}, (SELECT MAX(id) FROM {table}))")  # noqa: S608 -- fixed table names
        # What autovacuum does to a live table: statistics, and the visibility map that lets
        # the board's totals run as an index-only scan.
        cursor.execute("VACUUM ANALYZE")
    busiest_deal = (
        __import__("crm.models", fromlist=["Activity"])
        .Activity.objects.filter(deal__isnull=False)
        .values_list("deal_id", flat=True)
        .first()
    )
    from crm.models import Contact, Deal
    from crm.selectors.lists import encode_cursor

    busiest_stage = stages[0].pk
    tenth_card = Deal.objects.filter(stage_id=busiest_stage).order_by("position", "id")[9]
    # The cursor a user holds after paging half-way through the contacts by name.
    deep = Contact.objects.order_by("full_name", "id")[contacts // 2]
    return {
        "admin": users[0],
        "rep": users[1],
        "tag": tags[0],
        "deal_id": busiest_deal,
        "deep_cursor": encode_cursor(deep.full_name, deep.pk),
        "deep_position": contacts // 2,
        "more_cards": f"/deals/stages/{busiest_stage}/cards/?after={tenth_card.pk}",
    }


def measure(get: Callable[[str], object], url: str, repeat: int) -> tuple[list[float], int]:
    """Latencies (ms) of ``repeat`` requests after two warm-ups, and the query count of one."""
    from django.db import connection

    for _ in range(2):
        get(url)
    executed: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = get(url)
    assert response.status_code == 200, (url, response.status_code)  # type: ignore[attr-defined]
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, len(executed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--deals", type=int, default=30_000)
    parser.add_argument("--activities", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 40)))
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument("--profile", default="", help="print a cProfile of this page's URL")
    args = parser.parse_args()

    configure(DATABASE, redis_db=13)
    from django.core.management import call_command
    from django.test import Client
    from django_tenants.utils import schema_context

    from tenants.services import public_tenant_ensure, template_ensure, tenant_create

    try:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        public_tenant_ensure()
        template_ensure()
        tenant = tenant_create(name="Bench CRM", slug=SLUG)
        started = time.perf_counter()
        with schema_context(tenant.schema_name):
            ids = seed(
                contacts=args.contacts,
                companies=args.companies,
                deals=args.deals,
                activities=args.activities,
            )
        print(
            f"seeded {args.contacts} contacts, {args.companies} companies, {args.deals} deals, "
            f"{args.activities} activities in {time.perf_counter() - started:.1f}s"
        )
        from django.conf import settings

        print(f"DEBUG={settings.DEBUG} (must be False for representative timings)")
        host = f"{SLUG}.localhost"
        clients = {}
        for role in ("admin", "rep"):
            client = Client(HTTP_HOST=host)
            with schema_context(tenant.schema_name):
                client.force_login(ids[role])  # type: ignore[arg-type]
            clients[role] = client
        clients["admin-htmx"] = Client(HTTP_HOST=host, HTTP_HX_REQUEST="true")
        with schema_context(tenant.schema_name):
            clients["admin-htmx"].force_login(ids["admin"])  # type: ignore[arg-type]
        rep_id = ids["rep"].pk  # type: ignore[attr-defined]
        cursor, deep = ids["deep_cursor"], int(ids["deep_position"])  # type: ignore[call-overload]
        tag_id = ids["tag"].pk  # type: ignore[attr-defined]
        pages = [
            ("baseline: health check", "admin", "/healthz"),
            ("contacts, first page", "admin", "/contacts/"),
            (f"contacts, next after {deep // 1000}k", "admin", f"/contacts/?after={cursor}"),
            (f"contacts, prev before {deep // 1000}k", "admin", f"/contacts/?before={cursor}"),
            ("contacts, htmx results only", "admin-htmx", "/contacts/"),
            ("contacts, filtered", "admin", f"/contacts/?owner={rep_id}&tag={tag_id}"),
            ("contacts, searched", "admin", "/contacts/?q=schmidt"),
            ("contacts, rep's own", "rep", "/contacts/"),
            ("deal board", "admin", "/deals/"),
            ("deal board, rep", "rep", "/deals/"),
            ("deal board, show more", "admin-htmx", str(ids["more_cards"])),
            ("deal detail + timeline", "admin", f"/deals/{ids['deal_id']}/"),
            ("global search", "admin", "/search/?q=falcon"),
            ("global search, typo", "admin", "/search/?q=kowalsky"),
            ("dashboard", "admin", "/"),
        ]
        if args.profile:
            import cProfile
            import pstats

            clients["admin"].get(args.profile)
            profiler = cProfile.Profile()
            profiler.runcall(clients["admin"].get, args.profile)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        print(f"{'page':<30}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
        worst_p95, max_queries = 0.0, 0
        for label, role, url in pages:
            timings, queries = measure(clients[role].get, url, args.repeat)
            p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
            print(f"{label:<30}{p50:>9.1f}{p95:>9.1f}{queries:>9}")
            if not label.startswith("baseline"):
                worst_p95 = max(worst_p95, p95)
                max_queries = max(max_queries, queries)
        print(
            f"BENCH crm_pages contacts={args.contacts} worst_p95_ms={worst_p95:.1f} "
            f"max_queries={max_queries}"
        )
    finally:
        if not args.keep:
            drop_database(DATABASE)


if __name__ == "__main__":
    main()
