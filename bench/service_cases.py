"""Customer-service part of the CRM page benchmark (``bench/crm_pages.py``): 50k cases.

Seeds cases with their timeline (opened, replies, notes), queues, categories and articles
through ``COPY``, names the records the service routes open, and expands the case list into
the same pages the other lists get: every sort in both directions (first page, deep into the
list), each filter value alone, searches by subject and by number.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

SUBJECTS = [
    "Printer jams", "Invoice is wrong", "Cannot log in", "Delivery late", "Refund request",
    "Password reset", "Broken screen", "Missing parts", "Change of address", "Upgrade plan",
]  # fmt: skip
#: The case list's search words: a common subject word, and a case number.
SEARCHES = ["printer", "#25000"]


def seed_cases(
    *,
    copy_rows: Callable[..., int],
    rng: random.Random,
    now: datetime,
    user_ids: list[int],
    contacts: int,
    companies: int,
    cases: int,
) -> None:
    """Cases over two years, most closed, a few hundred open ones on live SLA clocks."""
    from django.db import connection

    from crm.service.models import Article, Category, Queue

    queues = [Queue.objects.create(name=n, manager_id=user_ids[0]) for n in ("Support", "Billing")]
    categories = [Category.objects.create(name=n) for n in ("Question", "Defect", "Complaint")]
    for i in range(40):
        Article.objects.create(
            title=f"How to fix: {SUBJECTS[i % len(SUBJECTS)].lower()} ({i})",
            body="## Steps\n\n1. Check the cable.\n2. Restart.\n",
            visibility="public" if i % 2 else "internal",
        )

    def case_row(i: int) -> tuple[object, ...]:
        opened = now - timedelta(seconds=rng.randrange(730 * 86400))
        active = i > cases - 600  # the newest are still being worked
        status = (
            rng.choice(["new", "open", "waiting"])
            if active
            else rng.choice(["resolved", "closed", "closed"])
        )
        responded = opened + timedelta(hours=rng.randrange(1, 30))
        resolved = None if active else responded + timedelta(hours=rng.randrange(1, 90))
        breached = (opened + timedelta(hours=9)).isoformat() if i % 7 == 0 else None
        csat = rng.randrange(1, 6) if resolved and i % 3 == 0 else None
        contact = rng.randrange(1, contacts + 1)
        return (
            i, i, f"{rng.choice(SUBJECTS)} #{i}", "The customer called about it.", contact,
            rng.randrange(1, companies + 1), None, rng.choice(["low", "normal", "high", "urgent"]),
            status, rng.choice(["phone", "email", "web", "in_person"]),
            rng.choice(categories).pk, rng.choice(user_ids), rng.choice(queues).pk, user_ids[0],
            opened.isoformat(), (resolved or responded).isoformat(),
            None if status == "new" else responded.isoformat(),
            resolved.isoformat() if resolved else None,
            resolved.isoformat() if resolved and status == "closed" else None,
            (opened + timedelta(hours=8)).isoformat(), (opened + timedelta(hours=6)).isoformat(),
            (opened + timedelta(hours=45)).isoformat(), (opened + timedelta(hours=36)).isoformat(),
            now.isoformat() if status == "waiting" else None, 0, breached, None, None,
            csat, "Thanks" if csat else "", resolved.isoformat() if csat and resolved else None,
        )  # fmt: skip

    copy_rows(
        "service_case",
        ["id", "number", "subject", "description", "contact_id", "company_id", "deal_id",
         "priority", "status", "channel", "category_id", "assignee_id", "queue_id",
         "created_by_id", "created_at", "updated_at", "first_responded_at", "resolved_at",
         "closed_at", "first_response_due_at", "first_response_warn_at", "resolution_due_at",
         "resolution_warn_at", "sla_paused_at", "paused_business_minutes",
         "first_response_breached_at", "resolution_breached_at", "escalated_at", "csat_score",
         "csat_comment", "csat_answered_at"],
        (case_row(i) for i in range(1, cases + 1)),
    )  # fmt: skip

    def events() -> Iterator[tuple[object, ...]]:
        for i in range(1, cases + 1):
            moment = (now - timedelta(days=730) + timedelta(minutes=i * 20)).isoformat()
            yield (i, "created", "", user_ids[0], "", "", "{}", moment)
            for n in range(i % 4):
                yield (i, "reply" if n % 2 == 0 else "note", f"Message {n} about it.",
                       rng.choice(user_ids), "customer@example.com" if n % 2 == 0 else "",
                       "sent" if n % 2 == 0 else "", "{}", moment)  # fmt: skip

    copy_rows(
        "service_caseevent",
        ["case_id", "kind", "body", "author_id", "email_to", "email_state", "data", "created_at"],
        events(),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('service_case', 'id'), %s)", [cases])
        cursor.execute("INSERT INTO service_casesequence (id, last_number) VALUES (1, %s)", [cases])


def service_ids() -> dict[str, int]:
    """Records the service routes open: the case with the longest timeline, articles."""
    from django.db.models import Count

    from crm.service.models import Article, Case

    busiest = (
        Case.objects.filter(pk__gt=Case.objects.count() - 2000)
        .annotate(n=Count("events"))
        .order_by("-n", "id")[0]
    )
    public = Article.objects.filter(visibility="public").order_by("id")[0]
    return {
        "service_case": busiest.pk,
        "service_article": public.pk,
        "service_help": public.pk,
    }


def _deep_cursor(sort: str) -> str:
    from crm.selectors.lists import encode_cursor
    from crm.service.models import Case
    from crm.service.selectors import case_ordering

    order = case_ordering(sort)
    column = order[0].removeprefix("-")
    rows = Case.objects.order_by(*order)
    value, pk = rows.values_list(column, "id")[rows.count() // 2]
    return str(encode_cursor(value, pk))


def service_pages(
    route: Any,
    *,
    page: Callable[..., Any],
    path: str,
    query: Callable[..., str],
    rep_id: int,
) -> list[Any]:
    """The pages of one service route (the list expanded), for ``crm_pages.pages``."""
    from crm.service.forms import CaseFilterForm
    from crm.service.models import Case
    from crm.service.selectors import CASE_SORTS
    from crm.service.signing import csat_token

    name = route.name
    if name == "service_cases":
        found = [page(name, "admin", path), page(f"{name}#results", "admin-htmx", path)]
        for key in CASE_SORTS:
            for sort in (key, f"-{key}"):
                found.append(page(f"{name}?sort={sort}", "admin", query(path, sort=sort)))
                found.append(page(f"{name}?sort={sort}&after=middle", "admin",
                                  query(path, sort=sort, after=_deep_cursor(sort))))  # fmt: skip
        form = CaseFilterForm({})
        for field_name, field in form.fields.items():
            if field_name in ("sort", "after", "before", "format", "q"):
                continue
            if not hasattr(field, "choices"):
                # A date bound ("opened from/to"): a year back, the dashboard's drill-down.
                value = (datetime.now() - timedelta(days=365)).date().isoformat()
                found.append(page(f"{name}?{field_name}=<a year ago>", "admin",
                                  query(path, **{field_name: value})))  # fmt: skip
                continue
            for value, _label in field.choices:
                if value not in ("", None):
                    found.append(page(f"{name}?{field_name}={value}", "admin",
                                      query(path, **{field_name: value})))  # fmt: skip
        for text in SEARCHES:
            found.append(page(f"{name}?q={text}", "admin", query(path, q=text)))
        found.append(page(f"rep:{name}?assignee=me", "rep", query(path, assignee=rep_id)))
        return found
    if name == "service_case_export":
        return [page(name, "admin", path, export=True)]
    if name == "service_csat":
        case = Case.objects.filter(resolved_at__isnull=False).order_by("-id")[0]
        return [page(name, "anonymous", f"/support/csat/{csat_token(case)}/")]
    if name == "service_article_suggest":
        return [page(name, "admin-htmx", query(path, subject="My printer jams again"))]
    if name == "service_breach_report":
        return [
            page(f"{name}?group={group}&days=365", "admin", query(path, group=group, days=365))
            for group in ("week", "month", "priority", "assignee")
        ]
    role = "anonymous" if name in ANONYMOUS else "admin"
    return [page(name, role, path)]


#: Service pages for the workspace's customers, who are not signed in.
ANONYMOUS = {"service_help", "service_help_article", "service_web_form", "service_csat"}
