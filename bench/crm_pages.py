"""Every page of a big workspace: server-side latency and query counts, exports timed apart.

Seeds one workspace (``bench-crm``, in a throwaway database) with 100k contacts, 20k
companies, 20k leads, 30k deals and 300k activities through PostgreSQL ``COPY``, then requests
each page through the full Django stack (middleware, tenant routing, session, templates)
in-process and prints p50/p95 and the number of SQL queries. The baseline is the workspace
health check, measured in the same run.

The pages come from the workspace URL conf, so a new page cannot hide: every route is either
measured or refused by a GET (405, a form's POST), and a route whose path parameters the
bench cannot fill stops the run. List pages are expanded from their filter forms and sort
keys: every sort in both directions (first page, a page deep into the list, a sales rep's
own records), every filter value alone, and on the activity list every type in every
status. Forms open with the records they link sorting last in their pickers. CSV exports
are timed on their own (seconds and rows per second), outside the 50 ms target.

    .venv/bin/python bench/crm_pages.py                      # seed, measure, drop
    .venv/bin/python bench/crm_pages.py --keep               # keep the database afterwards
    .venv/bin/python bench/crm_pages.py --reuse --only deal  # measure a kept one again

Ends with ``BENCH crm_pages contacts=<N> worst_p95_ms=<x> worst_page=<name> max_queries=<n>
export_100k_contacts_s=<s>``.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import configure, drop_database, percentile
from bench.service_cases import ANONYMOUS as SERVICE_ANONYMOUS
from bench.service_cases import seed_cases, service_ids, service_pages

DATABASE = "rapport_bench_crm"
SLUG = "bench-crm"
#: Targets of every page but the exports.
TARGET_P95_MS = 50.0
TARGET_QUERIES = 15
FIRST = [
    "Anna", "Ben", "Carla", "David", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas",
    "Klara", "Luca", "Mona", "Nils", "Olga", "Pavel", "Rosa", "Sven", "Tara", "Umar",
]  # fmt: skip
LAST = [
    "Schmidt", "Novak", "Rossi", "Dubois", "Jensen", "Kowalski", "Silva", "Murphy", "Larsen",
    "Horvat", "Moreau", "Fischer", "Bianchi", "Varga", "Nagy", "Costa", "Berg", "Popescu",
]  # fmt: skip
WORDS = [
    "Alpine", "Blue", "Cedar", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris",
    "Juniper", "Kestrel", "Lumen", "Maple", "Nimbus", "Orbit", "Pioneer", "Quartz", "River",
]  # fmt: skip
SUFFIX = ["GmbH", "Ltd", "SA", "AB", "Oy", "BV", "Srl", "Inc"]
#: What a user types into each list's search box and each picker.
SEARCH_WORDS = {"contact": "schmidt", "company": "falcon", "lead": "novak", "deal": "falcon",
                "activity": "follow"}  # fmt: skip
LOOKUP_WORDS = {"contacts": "schm", "companies": "falc", "deals": "falc", "leads": "nova"}


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


def seed(
    *, contacts: int, companies: int, leads: int, deals: int, activities: int, cases: int = 0
) -> None:
    """Fill the current schema the way a few years of use would."""
    from django.db import connection

    from crm.models import CustomFieldDefinition, Pipeline, SavedView, Tag
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
    CustomFieldDefinition.objects.create(
        object_type="contact", key="tier", label="Tier", field_type="choice",
        choices=["A", "B", "C"], show_in_list=True,
    )  # fmt: skip
    stages = list(Pipeline.objects.get(name="Sales").stages.order_by("position"))
    pipeline_id = stages[0].pipeline_id

    def when(days: int = 720) -> datetime:
        return now - timedelta(seconds=rng.randrange(days * 86400))

    def around(days: int) -> datetime:
        return now + timedelta(seconds=rng.randrange(-days * 86400, days * 86400))

    copy_rows(
        "crm_company",
        ["id", "name", "domain", "industry", "size", "address", "city", "country", "phone",
         "owner_id", "custom", "created_at", "updated_at"],
        (
            (i, f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i} {rng.choice(SUFFIX)}",
             f"company{i}.example", "Manufacturing", "11-50", "",
             rng.choice(["Berlin", "Paris", "Lyon", "Oslo", "Graz", "Porto"]), "Germany", "",
             rng.choice(user_ids), "{}", when().isoformat(), when(90).isoformat())
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
             rng.choice(user_ids), json.dumps({"tier": rng.choice("ABC")}), when().isoformat(),
             when(90).isoformat())
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
    copy_rows(
        "crm_lead",
        ["id", "name", "company_name", "email", "phone", "source", "status", "owner_id",
         "custom", "created_at", "updated_at"],
        (
            (i, f"{rng.choice(FIRST)} {rng.choice(LAST)}{i}", f"{rng.choice(WORDS)} {i} Ltd",
             f"lead{i}@prospect.example", "", rng.choice(["website", "referral", "event", ""]),
             rng.choices(["new", "contacted", "qualified", "unqualified", "converted"],
                         [5, 3, 2, 2, 1])[0],
             rng.choice(user_ids), "{}", when().isoformat(), when(90).isoformat())
            for i in range(1, leads + 1)
        ),
    )  # fmt: skip
    copy_rows(
        "crm_lead_tags",
        ["lead_id", "tag_id"],
        ((i, rng.choice(tags).pk) for i in range(1, leads + 1, 5)),
    )
    weights = [4, 3, 2, 2, 3, 3]
    copy_rows(
        "crm_deal",
        ["id", "title", "company_id", "pipeline_id", "stage_id", "amount", "currency",
         "expected_close_on", "probability", "owner_id", "lost_reason", "position",
         "stage_entered_at", "custom", "created_at", "updated_at"],
        (
            (i, f"{rng.choice(WORDS)} deal {i}", rng.randrange(1, companies + 1), pipeline_id,
             rng.choices(stages, weights)[0].pk, rng.randrange(500, 90000), "EUR",
             around(180).date().isoformat() if i % 5 else None, None,
             rng.choice(user_ids), "", rng.random() * 1000, when(60).isoformat(), "{}",
             when().isoformat(), when(60).isoformat())
            for i in range(1, deals + 1)
        ),
    )  # fmt: skip
    copy_rows(
        "crm_deal_tags",
        ["deal_id", "tag_id"],
        ((i, rng.choice(tags).pk) for i in range(1, deals + 1, 4)),
    )
    copy_rows(
        "crm_dealcontact",
        ["deal_id", "contact_id", "role", "created_at"],
        (
            (i, rng.randrange(1, contacts + 1), "decision_maker", when())
            for i in range(1, deals + 1)
        ),
    )
    copy_rows(
        "crm_stagetransition",
        ["deal_id", "from_stage_id", "to_stage_id", "moved_at", "moved_by_id", "amount"],
        ((i, None, stages[0].pk, when(), user_ids[0], 1000) for i in range(1, deals + 1)),
    )
    copy_rows(
        "crm_activity",
        ["kind", "subject", "body", "due_at", "done_at", "outcome", "owner_id", "contact_id",
         "company_id", "deal_id", "lead_id", "created_at", "updated_at"],
        (_activity(rng, i, now, when, around, user_ids, contacts, companies, leads, deals)
         for i in range(1, activities + 1)),
    )  # fmt: skip
    kinds = ["contact", "company", "deal", "activity", "lead"]
    copy_rows(
        "crm_auditentry",
        ["actor_id", "action", "object_type", "object_id", "object_repr", "changes",
         "created_at"],
        ((rng.choice(user_ids), rng.choice(["create", "update", "move"]), rng.choice(kinds),
          rng.randrange(1, 20000), f"Record {i}", "{}", when().isoformat())
         for i in range(1, 50_001)),
    )  # fmt: skip
    SavedView.objects.create(
        owner=users[0], list_type="deal", name="Big deals", query="sort=-amount", shared=True
    )
    if cases:
        seed_cases(
            copy_rows=copy_rows, rng=rng, now=now, user_ids=user_ids, contacts=contacts,
            companies=companies, cases=cases,
        )  # fmt: skip
    with connection.cursor() as cursor:
        for table in ("crm_company", "crm_contact", "crm_lead", "crm_deal", "crm_activity"):
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            cursor.execute(f"SELECT setval({sequence}, (SELECT MAX(id) FROM {table}))")  # noqa: S608 -- fixed table names
        # What autovacuum does to a live table: statistics, and the visibility map that lets
        # counts and the board's totals run as index-only scans.
        cursor.execute("VACUUM ANALYZE")


def _activity(
    rng: random.Random,
    i: int,
    now: datetime,
    when: Callable[..., datetime],
    around: Callable[[int], datetime],
    user_ids: list[int],
    contacts: int,
    companies: int,
    leads: int,
    deals: int,
) -> tuple[object, ...]:
    """One activity as people log them: emails, notes and letters are done when written and
    have no due date; calls and meetings are mostly done once past; tasks half of the time."""
    kind = rng.choices(["call", "meeting", "task", "email", "note", "letter"], [4, 2, 4, 4, 3, 1])[
        0
    ]
    created = when()
    due: datetime | None = None
    done: datetime | None = created
    if kind not in ("email", "note", "letter"):
        due = around(90)
        finished = due < now and rng.random() < (0.5 if kind == "task" else 0.9)
        done = due if finished else None
    return (
        kind, f"Follow-up {i}", "", due.isoformat() if due else None,
        done.isoformat() if done else None, "", rng.choice(user_ids),
        rng.randrange(1, contacts + 1), rng.randrange(1, companies + 1),
        rng.randrange(1, deals + 1) if i % 2 else None,
        rng.randrange(1, leads + 1) if i % 10 == 0 else None,
        created.isoformat(), when(30).isoformat(),
    )  # fmt: skip


# --- What the pages need: records to open, cursors deep into lists ---------------------------


@dataclass(frozen=True)
class Samples:
    """Ids and cursors the page requests need, read from the seeded workspace."""

    admin: Any
    rep: Any
    ids: dict[str, int]
    #: The record each picker lists last (its queryset's order), by lookup kind.
    last: dict[str, int]
    #: An activity linked to every record sorting last in its picker.
    last_linked_activity: int
    #: A deal whose company sorts last in the company picker.
    last_linked_deal: int
    more_cards: str
    #: The public key of the bench's web form (its hosted page's path parameter).
    form_key: str
    #: The call queue built from the segment (for the fresh-pick measurement).
    queue_id: int


def marketing_samples(admin: Any) -> tuple[int, int, int, int, str]:
    """A web form, a dynamic segment over deal history and activity recency, and a call
    queue built from a segment of a third of the contacts (idempotent, like the rest)."""
    from crm.marketing.models import CallQueue, Segment, WebForm
    from crm.marketing.services.telesales import call_queue_build
    from crm.marketing.webforms import form_key

    form = WebForm.objects.filter(name="Bench form").first() or WebForm.objects.create(
        name="Bench form",
        owner=admin,
        fields=[{"key": "name", "required": True}, {"key": "email", "required": True},
                {"key": "message", "required": False}],
    )  # fmt: skip
    segment = Segment.objects.filter(name="Bench: won, quiet").first() or Segment.objects.create(
        name="Bench: won, quiet",
        owner=admin,
        filters={"has_won_deal": "on", "no_activity_days": "30"},
    )
    tier = Segment.objects.filter(name="Bench: tier A").first() or Segment.objects.create(
        name="Bench: tier A", owner=admin, filters={"cf_tier": "A"}
    )
    queue = CallQueue.objects.filter(name="Bench queue").first()
    if queue is None:
        queue = CallQueue.objects.create(name="Bench queue", segment=tier, owner=admin)
        call_queue_build(queue=queue)
    entry = queue.entries.order_by("id").first()
    assert entry is not None
    return int(form.pk), int(segment.pk), int(queue.pk), int(entry.pk), form_key(form)


def samples() -> Samples:
    from django.db.models import Count

    from crm.models import (
        Activity,
        Company,
        Contact,
        ContactCompany,
        CustomFieldDefinition,
        Deal,
        DealContact,
        Lead,
        Pipeline,
        SavedView,
        Stage,
    )
    from tenants.users.models import User

    admin = User.objects.get(email="admin@bench.example")
    rep = User.objects.get(email="rep0@bench.example")
    # What each picker's queryset lists last: the model's default order, reversed.
    last_contact = Contact.objects.order_by("-full_name", "-id")[0]
    last_company = Company.objects.order_by("-name", "-id")[0]
    last_deal = Deal.objects.order_by("updated_at", "id")[0]
    last_lead = Lead.objects.order_by("created_at", "id")[0]
    activity = Activity.objects.filter(subject="Bench: linked to every last record").first()
    if activity is None:
        activity = Activity.objects.create(
            kind="call",
            subject="Bench: linked to every last record",
            owner=admin,
            contact=last_contact,
            company=last_company,
            deal=last_deal,
            lead=last_lead,
        )
    deal = Deal.objects.filter(company=last_company).first()
    if deal is None:
        deal = Deal.objects.order_by("id").first()
        assert deal is not None
        deal.company = last_company
        deal.save(update_fields=["company"])
    busiest_stage = Stage.objects.annotate(n=Count("deals")).order_by("-n")[0]
    tenth_card = Deal.objects.filter(stage=busiest_stage).order_by("position", "id")[9]
    busiest_deal = (
        Activity.objects.filter(deal__isnull=False)
        .values("deal_id")
        .annotate(n=Count("id"))
        .order_by("-n")[0]["deal_id"]
    )
    ids = {
        "contact": Contact.objects.order_by("id").values_list("id", flat=True)[0],
        "company": Company.objects.annotate(n=Count("contact_links")).order_by("-n")[0].pk,
        "lead": Lead.objects.exclude(status="converted").order_by("id")[0].pk,
        "deal": busiest_deal,
        "activity": activity.pk,
        "pipeline": Pipeline.objects.order_by("id")[0].pk,
        "stage": busiest_stage.pk,
        "custom_field": CustomFieldDefinition.objects.order_by("id")[0].pk,
        "saved_view": SavedView.objects.order_by("id")[0].pk,
        "contact_company": ContactCompany.objects.order_by("id")[0].pk,
        "deal_contact": DealContact.objects.order_by("id")[0].pk,
        "user": rep.pk,
        "invitation": 1,
        "session": 1,  # the session routes only take a POST
        "import": 1,  # no import in the bench workspace: its pages answer 404
        "exchange_rate": 1,  # a POST-only route
        "notification": 1,  # the bench admin has no notification: its pages answer 404
        "reminder": 1,  # nor a reminder
        # Records no seed creates (their pages answer 404, still through the whole stack).
        "email_template": 1,
        "rule": 1,
        "letter": 1,
        "campaign": 1,
        "product": 1,
        "price": 1,
        "bundle": 1,
        "quote": 1,
        "link": 0,  # the n-th link of a campaign e-mail (its tracking URL)
        **service_ids(),
    }
    ids.update(insights_customer=ids["company"], insights_quota=1, insights_report=1)
    ids.update(insights_deal=ids["deal"])
    webform_id, segment_id, queue_id, entry_id, key = marketing_samples(admin)
    ids.update(webform=webform_id, segment=segment_id, queue=queue_id, entry_pk=entry_id)
    return Samples(
        admin=admin,
        rep=rep,
        ids=ids,
        last={
            "contacts": last_contact.pk,
            "companies": last_company.pk,
            "deals": last_deal.pk,
            "leads": last_lead.pk,
        },
        last_linked_activity=activity.pk,
        last_linked_deal=deal.pk,
        more_cards=f"after={tenth_card.pk}",
        form_key=key,
        queue_id=queue_id,
    )


def deep_cursor(spec: Any, sort: str) -> str:
    """The cursor a user holds half-way through the list in this sort order."""
    from crm.selectors.lists import encode_cursor, ordering

    order = ordering(spec.model, sort)
    column = order[0].removeprefix("-")
    rows = spec.model.objects.order_by(*order)
    if spec.key == "activity":
        rows = rows.filter(done_at__isnull=True)  # the list's default: open activities
    middle = rows.count() // 2
    value, pk = rows.values_list(column, "id")[middle]
    return str(encode_cursor(value, pk))


# --- Pages, from the URL conf -----------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One request to measure: a name for the table, the role requesting it, the URL."""

    name: str
    role: str
    url: str
    export: bool = False


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    view: Callable[..., Any]
    kwargs: dict[str, Any]


#: Roles whose client sends the request: ``admin-htmx`` asks for the page's partial.
ROLES = ("admin", "rep", "admin-htmx", "anonymous")
#: Routes for visitors who are not signed in.
ANONYMOUS = {"login", "password_reset", "password_reset_done", "password_reset_complete",
             "password_reset_confirm", "invitation_accept", "handoff",
             *SERVICE_ANONYMOUS}  # fmt: skip
#: Routes the bench leaves alone, each with the reason.
SKIPPED = {"logout": "ends the session the other requests need"}
#: Path parameters that are not record ids.
PATH_STRINGS = {"uidb64": "MQ", "token": "bench-token", "signature": "bench-signature",
                "kind": "company"}  # fmt: skip


def _routes() -> Iterator[Route]:
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield Route(
                    entry.name or "", prefix + str(entry.pattern), entry.callback,
                    dict(entry.default_args),
                )  # fmt: skip

    yield from walk(get_resolver("config.urls_tenant").url_patterns)


def _record_id(route: Route, parameter: str, ids: dict[str, int]) -> int:
    """The id a route's ``<int:…>`` parameter takes: by its name, else by the route's name."""
    named = parameter.removesuffix("_id")
    if named in ids and parameter != "pk":
        return ids[named]
    kind = route.kwargs.get("kind")
    if kind in ids:
        return ids[kind]
    prefixes = sorted((key for key in ids if route.name.startswith(f"{key}_")), key=len)
    if not prefixes:
        raise SystemExit(
            f"bench/crm_pages.py cannot fill <{parameter}> of route {route.name!r} "
            f"({route.pattern}): add its record to samples().ids"
        )
    return ids[prefixes[-1]]


def _path(route: Route, ids: dict[str, int], strings: dict[str, str] | None = None) -> str:
    def fill(match: re.Match[str]) -> str:
        converter, parameter = match.group(1) or "str", match.group(2)
        if converter == "int":
            return str(_record_id(route, parameter, ids))
        value = (strings or {}).get(parameter, PATH_STRINGS.get(parameter))
        if value is None:
            raise SystemExit(f"bench/crm_pages.py cannot fill <{parameter}> of {route.pattern}")
        return value

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route.pattern)


def _query(url: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{url}?{query}" if query else url


def _filter_values(form: Any, spec: Any, rep_id: int) -> Iterator[dict[str, Any]]:
    """Each filter of a list's form alone, with each value its select offers."""
    from django import forms

    from crm.custom_fields import form_field_name
    from crm.forms.query import SearchTextField

    month_ago = (date.today() - timedelta(days=30)).isoformat()
    custom_choices = {form_field_name(d): d.choices for d in form.definitions if d.choices}
    for name, field in form.fields.items():
        if name in ("sort", "after", "before", "view"):
            continue
        if name in custom_choices:  # a select of the custom field's choices
            for value in custom_choices[name]:
                yield {name: value}
        elif isinstance(field, SearchTextField):
            yield {name: SEARCH_WORDS[spec.key]}
        elif isinstance(field, forms.DateField):
            yield {name: month_ago}
        elif name == "owner":
            yield {name: rep_id}
        elif isinstance(field, forms.ChoiceField):
            values = [str(getattr(v, "value", v)) for v, _label in field.choices]  # type: ignore[misc, union-attr]
            for value in filter(None, values):
                if spec.key == "activity" and name == "status" and value == "open":
                    continue  # the list's default: its first page is measured already
                yield {name: value}
        elif isinstance(field, forms.CharField):
            continue  # free-text custom filters: substring search, not an index's business
        else:
            raise SystemExit(f"bench/crm_pages.py has no sample for the {name!r} filter")


def list_pages(route: Route, samples: Samples) -> Iterator[Page]:
    """A list in every sort order and direction, deep and for a rep, and each filter."""
    from crm.selectors.lists import SORTS
    from crm.views.kinds import KINDS
    from crm.views.records import definitions_for

    spec = KINDS[route.kwargs["kind"]]
    url = _path(route, samples.ids)
    yield Page(route.name, "admin", url)
    yield Page(f"{route.name}#results", "admin-htmx", url)
    for key in SORTS[spec.model]:
        for sort in (key, f"-{key}"):
            yield Page(f"{route.name}?sort={sort}", "admin", _query(url, sort=sort))
            cursor = deep_cursor(spec, sort)
            yield Page(f"{route.name}?sort={sort}&after=middle", "admin",
                       _query(url, sort=sort, after=cursor))  # fmt: skip
            yield Page(f"rep:{route.name}?sort={sort}", "rep", _query(url, sort=sort))
    form = spec.filter_form_class({}, definitions=definitions_for(spec))
    for params in _filter_values(form, spec, samples.rep.pk):
        label = "&".join(f"{k}={v}" for k, v in params.items())
        yield Page(f"{route.name}?{label}", "admin", _query(url, **params))
        if "owner" not in params:
            yield Page(f"rep:{route.name}?{label}", "rep", _query(url, **params))
    if spec.key == "activity":  # the two selects side by side: every type in every status
        statuses = [str(v) for v, _label in form.fields["status"].choices]  # type: ignore[attr-defined]
        for kind, _label in form.fields["kind"].choices:  # type: ignore[attr-defined]
            for status in statuses:
                if kind and status != "open":
                    params = {"kind": kind, "status": status}
                    label = f"kind={kind}&status={status}"
                    yield Page(f"{route.name}?{label}", "admin", _query(url, **params))
                    yield Page(f"rep:{route.name}?{label}", "rep", _query(url, **params))


def pages(samples: Samples) -> tuple[list[Page], list[str]]:
    """Every page of the URL conf (lists expanded), and the routes left out with the reason."""
    from crm.views import activities, deals, lists, records, search
    from crm.views.records import LOOKUPS

    found: list[Page] = []
    left_out: list[str] = []
    last = samples.last
    for route in _routes():
        name, view = route.name, route.view
        if name in SKIPPED:
            left_out.append(f"{name}: {SKIPPED[name]}")
        elif name.startswith("service_"):
            found += service_pages(
                route,
                page=Page,
                path=_path(route, samples.ids, {"token": "-"}),
                query=_query,
                rep_id=samples.rep.pk,
            )
        elif view is lists.record_list:
            found += list_pages(route, samples)
        elif view is lists.record_export:
            url = _path(route, samples.ids)
            found.append(Page(name, "admin", url, export=True))
            if route.kwargs["kind"] == "activity":
                found.append(Page(f"{name}?status=all", "admin", f"{url}?status=", export=True))
        elif view is records.lookup:
            for kind in sorted(LOOKUPS):
                url = _path(route, samples.ids, {"kind": kind})
                found.append(Page(f"{name}/{kind}", "admin", url))
                found.append(Page(f"{name}/{kind}?q=", "admin", _query(url, q=LOOKUP_WORDS[kind])))
                found.append(Page(f"rep:{name}/{kind}", "rep", url))
        elif view is activities.activity_form and "<int:pk>" in route.pattern:
            url = _path(route, {**samples.ids, "activity": samples.last_linked_activity})
            found.append(Page(f"{name} (every link sorting last)", "admin", url))
        elif view is activities.activity_form:
            url = _path(route, samples.ids)
            found.append(Page(name, "admin", url))
            for field, kind in (("contact", "contacts"), ("company", "companies"),
                                ("deal", "deals"), ("lead", "leads")):  # fmt: skip
                found.append(
                    Page(f"{name}?{field}=last", "admin", _query(url, **{field: last[kind]}))
                )
            found.append(
                Page(f"{name}?follow_up", "admin", _query(url, follow_up=samples.ids["activity"]))
            )
        elif view is records.record_form and route.kwargs["kind"] == "deal":
            if "<int:pk>" in route.pattern:
                url = _path(route, {**samples.ids, "deal": samples.last_linked_deal})
                found.append(Page(f"{name} (company sorting last)", "admin", url))
            else:
                url = _path(route, samples.ids)
                found.append(Page(name, "admin", url))
                found.append(
                    Page(f"{name}?company=last", "admin", _query(url, company=last["companies"]))
                )
        elif view is deals.deal_board:
            url = _path(route, samples.ids)
            found += [Page(name, "admin", url), Page(f"rep:{name}", "rep", url)]
        elif view is deals.deal_column_more:
            url = f"{_path(route, samples.ids)}?{samples.more_cards}"
            found.append(Page(name, "admin-htmx", url))
        elif view is search.search:
            url = _path(route, samples.ids)
            found += [
                Page(f"{name}?q=falcon", "admin", _query(url, q="falcon")),
                Page(f"{name}?q=kowalsky (typo)", "admin", _query(url, q="kowalsky")),
                Page(f"rep:{name}?q=falcon", "rep", _query(url, q="falcon")),
            ]
        elif view is search.dashboard:
            url = _path(route, samples.ids)
            found += [Page(name, "admin", url), Page(f"rep:{name}", "rep", url)]
        elif name in ("contact_merge", "company_merge"):
            kind = "contact" if name == "contact_merge" else "company"
            ids = [samples.ids[kind], samples.ids[kind] + 1]
            found.append(
                Page(name, "admin", f"{_path(route, samples.ids)}?ids={ids[0]}&ids={ids[1]}")
            )
        elif name == "webform_public":
            url = _path(route, samples.ids, {"key": samples.form_key})
            found.append(Page(name, "anonymous", url))
        elif name == "segment_size":
            url = _path(route, samples.ids)
            found += [Page(name, "admin", url), Page(f"rep:{name}", "rep", url)]
        elif name == "segment_preview_size":
            url = _path(route, samples.ids)
            for params in ({"tag": 1}, {"cf_tier": "A"}, {"has_won_deal": "on"},
                           {"won_value_above": 50000}, {"no_activity_days": 30}):  # fmt: skip
                label = "&".join(f"{k}={v}" for k, v in params.items())
                found.append(Page(f"{name}?{label}", "admin", _query(url, **params)))
        elif name == "queue_work":
            url = _path(route, samples.ids)
            found += [Page(name, "admin", url), Page(f"rep:{name}", "rep", url)]
        elif name == "audit_log":
            url = _path(route, samples.ids)
            found += [
                Page(name, "admin", url),
                Page(f"{name}?type=deal", "admin", _query(url, type="deal")),
                Page(f"{name}?page=150", "admin", _query(url, page=150)),
            ]
        else:
            role = "anonymous" if name in ANONYMOUS else "admin"
            found.append(Page(name or route.pattern, role, _path(route, samples.ids)))
    return found, left_out


# --- Measuring ---------------------------------------------------------------------------------


def measure(
    get: Callable[[str], Any], url: str, repeat: int
) -> tuple[list[float], list[float], int, int]:
    """Latencies and CPU times (ms) of ``repeat`` requests after two warm-ups, the query count
    and the status. CPU time is this process's own: on a shared machine it shows the work a
    page costs apart from the time other processes held the cores."""
    from django.db import connection

    for _ in range(2):
        get(url)
    executed: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = get(url)
    timings, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    return timings, cpu, len(executed), int(response.status_code)


def measure_export(get: Callable[[str], Any], url: str) -> tuple[float, int, int]:
    """Seconds to stream an export to its last byte, its rows and bytes (best of two)."""
    best, rows, size = float("inf"), 0, 0
    for _ in range(2):
        started = time.perf_counter()
        response = get(url)
        assert response.status_code == 200, (url, response.status_code)
        data = b"".join(response.streaming_content)
        best = min(best, time.perf_counter() - started)
        rows, size = data.count(b"\r\n") - 1, len(data)
    return best, rows, size


def measure_next_contact(schema: str, sample: Samples, repeat: int) -> tuple[float, int]:
    """The call queue's "next contact" as the service picks it afresh (SKIP LOCKED, then a
    lease), released after each pick so every round takes the whole path."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from crm.marketing.models import CallQueue
    from crm.marketing.services.telesales import queue_next, queue_release

    with schema_context(schema):
        queue = CallQueue.objects.get(pk=sample.queue_id)
        timings: list[float] = []
        executed: list[str] = []

        def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            executed.append(sql)
            return execute(sql, params, many, context)

        for round_number in range(repeat + 2):
            started = time.perf_counter()
            if round_number == 2:
                with connection.execute_wrapper(count):
                    entry = queue_next(queue=queue, rep=sample.admin)
            else:
                entry = queue_next(queue=queue, rep=sample.admin)
            elapsed = (time.perf_counter() - started) * 1000
            assert entry is not None
            queue_release(entry=entry, rep=sample.admin)
            if round_number >= 2:
                timings.append(elapsed)
    p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
    flag = "" if p95 <= TARGET_P95_MS and len(executed) <= TARGET_QUERIES else "  <-- over"
    print(f"{'call-queue next contact (fresh pick, service)':<52}{p50:>8.1f}{p95:>8.1f}"
          f"{'':>8}{len(executed):>8}{flag}")  # fmt: skip
    return p95, len(executed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=20_000)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--deals", type=int, default=30_000)
    parser.add_argument("--activities", type=int, default=300_000)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 20)))
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept before")
    parser.add_argument("--database", default=DATABASE, help="name of the throwaway database")
    parser.add_argument("--only", default="", help="measure the pages whose name has this text")
    parser.add_argument("--profile", default="", help="print a cProfile of this page's URL")
    args = parser.parse_args()

    configure(args.database, redis_db=13, recreate=not args.reuse)
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # 403/404/405 probes
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from core.jobs.registry import handler_get
    from core.jobs.sweeper import heartbeat
    from tenants.models import Tenant
    from tenants.services import public_tenant_ensure, template_ensure, tenant_create

    keep = args.keep or args.reuse
    try:
        if args.reuse:
            call_command("migrate_schemas", interactive=False, verbosity=0)
            tenant = Tenant.objects.get(slug=SLUG)
        else:
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
            public_tenant_ensure()
            template_ensure()
            tenant = tenant_create(name="Bench CRM", slug=SLUG)
            started = time.perf_counter()
            with schema_context(tenant.schema_name):
                seed(
                    contacts=args.contacts,
                    companies=args.companies,
                    leads=args.leads,
                    deals=args.deals,
                    activities=args.activities,
                    cases=args.cases,
                )
            print(
                f"seeded {args.contacts} contacts, {args.companies} companies, {args.leads} "
                f"leads, {args.deals} deals, {args.activities} activities, {args.cases} cases "
                f"in {time.perf_counter() - started:.1f}s"
            )
        print(f"DEBUG={settings.DEBUG} (must be False for representative timings)")
        with schema_context(tenant.schema_name):
            sample = samples()
            found, left_out = pages(sample)
        with connection.cursor() as cursor:
            # Fresh statistics, as autovacuum keeps them (the seed and the samples just wrote).
            cursor.execute("ANALYZE")
        heartbeat()  # what a running worker keeps fresh; /readyz answers 503 without it
        with schema_context(tenant.schema_name):  # the hourly jobs' figures, as in production
            for handler in ("insights.customer_values_refresh", "onboarding.return_figures"):
                handler_get(handler).func()
        host = f"{SLUG}.localhost"
        clients: dict[str, Client] = {
            "admin": Client(HTTP_HOST=host),
            "rep": Client(HTTP_HOST=host),
            "admin-htmx": Client(HTTP_HOST=host, HTTP_HX_REQUEST="true"),
            "anonymous": Client(HTTP_HOST=host),
        }
        with schema_context(tenant.schema_name):
            for role in ("admin", "rep", "admin-htmx"):
                user = sample.rep if role == "rep" else sample.admin
                clients[role].force_login(user)
        if args.profile:
            import cProfile
            import pstats

            clients["admin"].get(args.profile)
            profiler = cProfile.Profile()
            profiler.runcall(clients["admin"].get, args.profile)
            pstats.Stats(profiler).sort_stats("cumtime").print_stats(40)
            return
        found = [p for p in found if args.only in p.name]
        timed = [p for p in found if not p.export]
        print(f"{len(timed)} pages, {len(found) - len(timed)} exports; left out: {left_out}")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'page':<52}{'p50 ms':>8}{'p95 ms':>8}{'cpu ms':>8}{'queries':>8}")
        base, base_cpu, base_queries, _ = measure(clients["admin"].get, "/healthz", args.repeat)
        print(f"{'baseline: health check':<52}{percentile(base, 0.5):>8.1f}"
              f"{percentile(base, 0.95):>8.1f}{percentile(base_cpu, 0.5):>8.1f}"
              f"{base_queries:>8}")  # fmt: skip
        results: list[tuple[float, str, int]] = []
        refused: list[str] = []
        for page in timed:
            timings, cpu, queries, status = measure(clients[page.role].get, page.url, args.repeat)
            if status == 405:
                refused.append(page.name)
                continue
            assert status < 500, (page.url, status)
            p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
            flag = "" if p95 <= TARGET_P95_MS and queries <= TARGET_QUERIES else "  <-- over"
            shown = page.name if status == 200 else f"{page.name} [{status}]"
            cpu50 = percentile(cpu, 0.5)
            print(f"{shown[:51]:<52}{p50:>8.1f}{p95:>8.1f}{cpu50:>8.1f}{queries:>8}{flag}")
            results.append((p95, page.name.replace(" ", "_"), queries))
        print(f"refused a GET (405, POST only): {', '.join(refused) or 'none'}")
        if "queue" in args.only or not args.only:
            p95, queries = measure_next_contact(tenant.schema_name, sample, args.repeat)
            results.append((p95, "call_queue_next_contact_(fresh_pick)", queries))
        print(f"{'export':<40}{'rows':>9}{'MB':>7}{'seconds':>9}{'rows/s':>9}")
        contacts_export_s = 0.0
        for page in (p for p in found if p.export):
            seconds, rows, size = measure_export(clients[page.role].get, page.url)
            print(
                f"{page.name:<40}{rows:>9}{size / 1e6:>7.1f}{seconds:>9.2f}{rows / seconds:>9.0f}"
            )
            if page.name == "contact_export":
                contacts_export_s = seconds * 100_000 / max(rows, 1)
        if not results:
            return
        results.sort(reverse=True)
        print("worst pages: " + "; ".join(f"{n} {p:.1f} ms" for p, n, _q in results[:5]))
        over = [n for p, n, q in results if p > TARGET_P95_MS or q > TARGET_QUERIES]
        print(f"{len(over)} of {len(results)} pages over the targets; load average "
              f"{os.getloadavg()[0]:.1f} now")  # fmt: skip
        worst_p95, worst_page, _queries = results[0]
        max_queries = max(q for _p, _n, q in results)
        print(
            f"BENCH crm_pages contacts={args.contacts} worst_p95_ms={worst_p95:.1f} "
            f"worst_page={worst_page} max_queries={max_queries} "
            f"export_100k_contacts_s={contacts_export_s:.2f}"
        )
    finally:
        if not keep:
            drop_database(args.database)


if __name__ == "__main__":
    main()
