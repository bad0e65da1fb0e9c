"""Search on a big, mixed workspace: server-side latency, query counts and index use.

Seeds one workspace (``bench-search``, in a throwaway database) through PostgreSQL ``COPY``
with 100k contacts (half Chinese names, in simplified and traditional characters, family name
first or as one full name; half Latin names), 20k companies with websites (a third with
Chinese names), 10k leads and 20k deals; e-mail addresses at company domains and free-mail
providers, phone numbers in national and international formats. The search columns are then
filled by ``search_backfill`` (the code the migration runs), and its time is printed.

Each search form (e-mail, domain, phone, website, typo, Chinese, pinyin, initials, fragment)
is requested through the full Django stack (middleware, tenant routing, session, templates)
in-process, as global search and as a list search, after two warm-ups; the benchmark prints
p50/p95, the number of SQL queries and the indexes PostgreSQL used for the search queries
(``EXPLAIN ANALYZE``; a sequential scan of a record table is flagged). Baselines measured in
the same run: the workspace health check, and the contact and company lists without a
search (what a list search costs beyond its page).

    .venv/bin/python bench/search.py [--contacts 100000] [--repeat 30] [--keep]

Ends with ``BENCH search contacts=<N> worst_p95_ms=<x> max_queries=<n>``.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import configure, drop_database, percentile

DATABASE = "rapport_bench_search"
SLUG = "bench-search"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱"
    "严覃武戴莫孔向汤单区欧"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂文华辉建国红玉春志小大德成海宏东晓宇欣佳婷浩鹏"
    "飞龙嘉俊家怡子梓涵然昊思雨晨博立新永宁安美慧斌雪琳颖"
)
FIRST = (  # noqa: SIM905 -- a list of names reads best as one string
    "Anna Ben Carla David Elena Farid Greta Hugo Ines Jonas Klara Luca Mona Nils Olga "
    "Pavel Rosa Sven Tara Umar Mary John James Linda Michael Sarah Thomas Laura Peter "
    "Julia Daniel Emma Oliver Sophie Lukas Marie Paul Lea Felix Hannah Max Clara Noah "
    "Ella Leon Mia Tom"
).split()
LAST = (  # noqa: SIM905 -- a list of names reads best as one string
    "Schmidt Novak Rossi Dubois Jensen Kowalski Silva Murphy Larsen Horvat Moreau "
    "Fischer Bianchi Varga Nagy Costa Berg Popescu Smith Johnson Williams Brown Jones "
    "Miller Davis Wilson Anderson Taylor Thomas Moore Martin Jackson Thompson White "
    "Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams "
    "Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Torres Parker "
    "Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Peterson Cooper Reed "
    "Bailey Bell Gomez Kelly Howard Ward Cox Diaz Richardson Wood Watson Brooks Bennett "
    "Gray James Reyes Cruz Hughes Price Meyer Weber Wagner Becker Schulz Hoffmann Koch "
    "Richter Klein Wolf Neumann Schwarz"
).split()
WORDS = (  # noqa: SIM905 -- a list of names reads best as one string
    "alpine blue cedar delta ember falcon granite harbor iris juniper kestrel lumen "
    "maple nimbus orbit pioneer quartz river summit tundra vertex willow zenith aurora "
    "beacon"
).split()
SUFFIX = ["GmbH", "Ltd", "SA", "AB", "Oy", "BV", "Srl", "Inc", "LLC", "Co."]
CITIES = "北京上海广州深圳杭州成都武汉南京香港台北"
TRADES = ["科技", "贸易", "实业", "电子", "食品", "物流", "建筑", "咨询"]
DEAL_KINDS = ["renewal", "expansion", "续约", "新单"]
FREE_MAIL = ["qq.com", "163.com", "gmail.com", "outlook.com", "126.com", "yahoo.com.hk"]
TLDS = [".com", ".cn", ".com.cn", ".de", ".co.uk", ".example.com", ".hk"]

#: (label, list URL, text): every search form of the brief, typed as people type them.
SEARCHES = [
    ("email whole", "contacts", "tom@bakerbakeries.example.com"),
    ("email partial", "contacts", "li.wei@jade"),
    ("email domain", "contacts", "jadegarden"),
    ("email domain, full", "contacts", "bakerbakeries.example.com"),
    ("email domain, free mail", "contacts", "qq.com"),
    ("phone international", "contacts", "+86 138 0013 8000"),
    ("phone digits", "contacts", "13800138000"),
    ("phone dashes", "contacts", "138-0013-8000"),
    ("phone trunk prefix", "contacts", "(0)20 7946 0958"),
    ("website domain", "companies", "jadegarden.cn"),
    ("website www", "companies", "www.jadegarden.cn"),
    ("website URL", "companies", "https://jadegarden.cn/about"),
    ("name exact", "contacts", "Anna Schmidt"),
    ("name word", "contacts", "schmidt"),
    ("typo missing", "contacts", "Schmdt"),
    ("typo missing 2", "contacts", "Shmidt"),
    ("typo extra", "contacts", "Schmidtt"),
    ("typo swapped", "contacts", "Scmhidt"),
    ("chinese traditional", "contacts", "陳大文"),
    ("chinese simplified", "contacts", "陈大文"),
    ("chinese common name", "contacts", "张伟"),
    ("chinese fragment", "contacts", "大文"),
    ("chinese one character", "contacts", "陈"),
    ("pinyin joined", "contacts", "zhangwei"),
    ("pinyin spaced", "contacts", "zhang wei"),
    ("pinyin initials", "contacts", "zw"),
    ("pinyin initials 3", "contacts", "cdw"),
    ("company chinese", "companies", "華為"),
    ("lead pinyin", "leads", "wangxiaoming"),
    ("deal title", "deals/list", "renewal"),
    ("one letter", "contacts", "a"),
    ("two letters", "contacts", "li"),
    ("no match", "contacts", "qqxxzz"),
]


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


def pg_array(values: list[str]) -> str:
    return "{" + ",".join('"' + v.replace('"', '\\"') + '"' for v in values) + "}"


class Names:
    """Reproducible people, companies and numbers."""

    def __init__(self, seed: int = 42) -> None:
        import opencc
        from pypinyin import lazy_pinyin

        self.rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not security
        self.traditional = opencc.OpenCC("s2t").convert
        self.pinyin = lazy_pinyin

    def chinese(self) -> tuple[str, str]:
        """(family name, given name) in simplified characters."""
        given_length = 1 if self.rng.random() < 0.35 else 2
        given = "".join(self.rng.choice(GIVEN) for _ in range(given_length))
        return self.rng.choice(SURNAMES), given

    def phone(self) -> str:
        r = self.rng
        number = f"{r.randrange(130, 200)}{r.randrange(10**8):08d}"
        match r.randrange(6):
            case 0:
                return f"+86 {number[:3]} {number[3:7]} {number[7:]}"
            case 1:
                return number
            case 2:
                return f"{number[:3]}-{number[3:7]}-{number[7:]}"
            case 3:
                return f"+44 20 {r.randrange(10**4):04d} {r.randrange(10**4):04d}"
            case 4:
                return f"(0)30 {r.randrange(10**7):07d}"
            case _:
                return f"+49 89 {r.randrange(10**4):04d}-{r.randrange(10**4):04d}"


def seed(*, contacts: int, companies: int, leads: int, deals: int) -> dict[str, Any]:
    """Fill the current schema; returns the admin user."""
    from django.db import connection

    from crm.models import Pipeline
    from tenants.users.models import Role, User

    names = Names()
    rng = names.rng
    now = datetime.now(UTC)
    admin = User.objects.create_user(
        "admin@bench.example", "x", full_name="Bench Admin", role=Role.ADMIN
    )
    users = [admin.pk] + [
        User.objects.create_user(
            f"rep{i}@bench.example", "x", full_name=f"Rep {i}", role=Role.REP
        ).pk
        for i in range(9)
    ]
    stage = Pipeline.objects.get(name="Sales").stages.order_by("position").first()
    assert stage is not None

    def when() -> str:
        return (now - timedelta(seconds=rng.randrange(720 * 86400))).isoformat()

    domains: list[str] = []

    def company_rows() -> Iterator[tuple[object, ...]]:
        planted = [
            ("Jade Garden 翡翠園", "jadegarden.cn", "+86 20 8888 1234"),
            ("Baker Bakeries", "bakerbakeries.example.com", "+44 20 7946 0000"),
            ("華為技術有限公司", "huawei.example.cn", "+86 755 2878 0808"),
        ]
        for i in range(1, companies + 1):
            if i <= len(planted):
                name, domain, phone = planted[i - 1]
            elif rng.random() < 0.33:
                name = f"{rng.choice(CITIES)}{rng.choice(GIVEN)}{rng.choice(GIVEN)}"
                name += f"{rng.choice(TRADES)}有限公司"
                if rng.random() < 0.4:
                    name = names.traditional(name)
                word = "".join(names.pinyin(name[2:4]))
                domain = f"{word}{i}{rng.choice(['.cn', '.com.cn', '.hk'])}"
                phone = names.phone()
            else:
                first, second = rng.choice(WORDS), rng.choice(WORDS)
                name = f"{first.title()} {second.title()} {rng.choice(SUFFIX)}"
                domain = f"{first}{second}{i}{rng.choice(TLDS)}"
                phone = names.phone()
            domains.append(domain)
            yield (i, name, domain, "", "", "", "", "", phone, rng.choice(users), "{}",
                   when(), when())  # fmt: skip

    copy_rows(
        "crm_company",
        ["id", "name", "domain", "industry", "size", "address", "city", "country", "phone",
         "owner_id", "custom", "created_at", "updated_at"],
        company_rows(),
    )  # fmt: skip

    def contact_rows() -> Iterator[tuple[object, ...]]:
        planted = [
            ("Tom", "Baker", "tom@bakerbakeries.example.com", "+44 20 7946 0958"),
            ("伟", "李", "li.wei@jadegarden.cn", "+86 138 0013 8000"),
            ("", "陳大文", "dawen.chan@harbour.example.hk", "+852 9123 4567"),
            ("Anna", "Schmidt", "anna.schmidt@granitealpine.de", "+49 30 1234567"),
        ]
        for i in range(1, contacts + 1):
            if i <= len(planted):
                first, last, email, phone = planted[i - 1]
            elif i % 2:
                first, last = rng.choice(FIRST), rng.choice(LAST)
                domain = rng.choice(domains) if rng.random() < 0.6 else rng.choice(FREE_MAIL)
                email = f"{first}.{last}{i}@{domain}".lower()
                phone = names.phone()
            else:
                family, given = names.chinese()
                romanised = "".join(names.pinyin(family)), "".join(names.pinyin(given))
                if rng.random() < 0.4:
                    family, given = names.traditional(family), names.traditional(given)
                first, last = (given, family) if rng.random() < 0.4 else ("", family + given)
                domain = rng.choice(domains) if rng.random() < 0.5 else rng.choice(FREE_MAIL)
                email = f"{romanised[1]}.{romanised[0]}{i}@{domain}"
                phone = names.phone()
            mobile = names.phone() if rng.random() < 0.3 else ""
            yield (i, first, last, "", email, "{}", phone, mobile, "{}", "", "", "", "f", "f",
                   rng.choice(users), "{}", when(), when())  # fmt: skip

    copy_rows(
        "crm_contact",
        ["id", "first_name", "last_name", "title", "email", "extra_emails", "phone", "mobile",
         "extra_phones", "address", "city", "country", "email_opt_out", "phone_opt_out",
         "owner_id", "custom", "created_at", "updated_at"],
        contact_rows(),
    )  # fmt: skip

    def lead_rows() -> Iterator[tuple[object, ...]]:
        for i in range(1, leads + 1):
            if i == 1:
                name, email = "王小明", "xiaoming@wangtrading.example"
            elif i % 2:
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                email = f"lead{i}@{rng.choice(domains)}"
            else:
                name = "".join(names.chinese())
                email = f"lead{i}@{rng.choice(FREE_MAIL)}"
            yield (i, name, f"{rng.choice(WORDS).title()} Trading", email, names.phone(),
                   "website", "new", rng.choice(users), "{}", when(), when())  # fmt: skip

    copy_rows(
        "crm_lead",
        ["id", "name", "company_name", "email", "phone", "source", "status", "owner_id",
         "custom", "created_at", "updated_at"],
        lead_rows(),
    )  # fmt: skip
    copy_rows(
        "crm_deal",
        ["id", "title", "company_id", "pipeline_id", "stage_id", "amount", "currency",
         "owner_id", "lost_reason", "position", "stage_entered_at", "custom", "created_at",
         "updated_at"],
        (
            (i, f"{rng.choice(WORDS).title()} {rng.choice(DEAL_KINDS)} {i}",
             rng.randrange(1, companies + 1), stage.pipeline_id, stage.pk,
             rng.randrange(500, 90000), "EUR", rng.choice(users), "", float(i), when(), "{}",
             when(), when())
            for i in range(1, deals + 1)
        ),
    )  # fmt: skip
    with connection.cursor() as cursor:
        for table in ("crm_company", "crm_contact", "crm_lead", "crm_deal"):
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            cursor.execute(f"SELECT setval({sequence}, (SELECT MAX(id) FROM {table}))")  # noqa: S608 -- fixed table names
    return {"admin": admin}


def backfill() -> float:
    """Fill the search columns as the migration does; returns the seconds it took."""
    from django.db import connection

    from crm.models import Company, Contact, Deal, Lead
    from crm.services.search import search_backfill

    started = time.perf_counter()
    for model in (Contact, Company, Lead, Deal):
        written = search_backfill(model)
        print(f"  backfilled {written} {model._meta.verbose_name_plural}")
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        # What autovacuum does to a live table: statistics and the visibility map.
        cursor.execute("VACUUM ANALYZE")
    return seconds


INDEX_USED = re.compile(
    r"(?:Index Scan|Index Only Scan|Bitmap Index Scan) (?:Backward )?(?:using|on) (\w+)"
)
SEQ_SCAN = re.compile(r"Seq Scan on (crm_(?:contact|company|lead|deal))\b")


def explain(schema: str, statements: list[tuple[str, Any]]) -> tuple[list[str], list[str]]:
    """Indexes used and record tables scanned sequentially by the search statements."""
    from django.db import connection
    from django_tenants.utils import schema_context

    used: list[str] = []
    scanned: list[str] = []
    with schema_context(schema), connection.cursor() as cursor:
        for sql, params in statements:
            if not sql.lstrip("( ").startswith("SELECT") or '"search_' not in sql:
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            used += INDEX_USED.findall(plan)
            scanned += SEQ_SCAN.findall(plan)
    return sorted(set(used)), sorted(set(scanned))


def measure(
    get: Callable[[str], Any], url: str, repeat: int
) -> tuple[list[float], list[tuple[str, Any]]]:
    """Latencies (ms) of ``repeat`` requests after two warm-ups, and the SQL of one."""
    from django.db import connection

    for _ in range(2):
        get(url)
    executed: list[tuple[str, Any]] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, executed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--deals", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 30)))
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument("--only", default="", help="run only searches whose label contains this")
    args = parser.parse_args()

    configure(DATABASE, redis_db=14)
    from urllib.parse import urlencode

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django_tenants.utils import schema_context

    from tenants.services import public_tenant_ensure, template_ensure, tenant_create

    try:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        public_tenant_ensure()
        template_ensure()
        tenant = tenant_create(name="Bench Search", slug=SLUG)
        schema = tenant.schema_name
        started = time.perf_counter()
        with schema_context(schema):
            ids = seed(
                contacts=args.contacts,
                companies=args.companies,
                leads=args.leads,
                deals=args.deals,
            )
            print(
                f"seeded {args.contacts} contacts, {args.companies} companies, {args.leads} "
                f"leads, {args.deals} deals in {time.perf_counter() - started:.1f}s"
            )
            seconds = backfill()
        rate = args.contacts / seconds
        print(f"search columns backfilled in {seconds:.1f}s ({rate:,.0f} contacts/s)")
        print(f"DEBUG={settings.DEBUG} (must be False for representative timings)")
        print("load average before measuring: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        client = Client(HTTP_HOST=f"{SLUG}.localhost", HTTP_HX_REQUEST="true")
        with schema_context(schema):
            client.force_login(ids["admin"])
        pages = [
            ("baseline: health check", "/healthz"),
            ("baseline: contacts, no search", "/contacts/"),
            ("baseline: companies, no search", "/companies/"),
        ]
        for label, list_url, text in SEARCHES:
            if args.only and args.only not in label:
                continue
            query = urlencode({"q": text})
            pages.append((f"global: {label}", f"/search/?{query}"))
            pages.append((f"list: {label}", f"/{list_url}/?{query}"))
        print(f"{'search':<38}{'p50 ms':>8}{'p95 ms':>8}{'queries':>8}  indexes used")
        worst_p95, max_queries, worst = 0.0, 0, ""
        for label, url in pages:
            timings, executed = measure(client.get, url, args.repeat)
            p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
            used, scanned = explain(schema, executed)
            note = ", ".join(name.removeprefix("crm_") for name in used)
            if scanned:
                note += f"  SEQ SCAN: {', '.join(scanned)}"
            print(f"{label:<38}{p50:>8.1f}{p95:>8.1f}{len(executed):>8}  {note}")
            if not label.startswith("baseline"):
                if p95 > worst_p95:
                    worst_p95, worst = p95, label
                max_queries = max(max_queries, len(executed))
        print(f"slowest: {worst}")
        print("load average after measuring: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        print(
            f"BENCH search contacts={args.contacts} worst_p95_ms={worst_p95:.1f} "
            f"max_queries={max_queries}"
        )
    finally:
        if not args.keep:
            drop_database(DATABASE)


if __name__ == "__main__":
    main()
