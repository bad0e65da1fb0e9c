"""Text search over records: PostgreSQL full text for words, pg_trgm for typos and fragments."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchVector,
    SearchVectorExact,
    TrigramWordSimilarity,
)
from django.db import connection, models
from django.db.models import Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.db.models.lookups import Contains
from django.utils.translation import gettext_lazy as _

from crm.models import Activity, Company, Contact, Deal, Lead, OwnedQuerySet
from crm.models.activities import activity_search_vector

#: The column each record type is known by (each has a trigram index on ``UPPER(column)``).
NAME_COLUMN: dict[type[models.Model], str] = {
    Contact: "full_name",
    Company: "name",
    Lead: "name",
    Deal: "title",
    Activity: "subject",
}
#: What a list search also reads besides the name, for records whose words matter beyond
#: it: an activity's notes and outcome. Each is the expression of a GIN index.
WORDS_VECTOR: dict[type[models.Model], Callable[[], SearchVector]] = {
    Activity: activity_search_vector,
}
#: Shorter queries only use full text and substring matching (trigrams of 1-2 letters are noise).
TYPO_MIN_LENGTH = 3


def prefix_query(text: str) -> SearchQuery | None:
    """Every word of ``text`` as a prefix: ``ann smi`` finds "Anna Smith"."""
    words = re.findall(r"\w+", text.lower())[:8]
    if not words:
        return None
    return SearchQuery(" & ".join(f"{w}:*" for w in words), search_type="raw", config="simple")


def name_condition(model: type[models.Model], text: str) -> Q:
    """Every word of ``text`` occurs in the record's name (trigram index on ``UPPER(name)``)."""
    column = Upper(NAME_COLUMN[model])
    condition = Q()
    for word in text.split()[:8]:
        condition &= Q(Contains(column, word.upper()[:100]))
    return condition


def typo_condition(model: type[models.Model], text: str) -> Q:
    """The name contains a word close to ``text`` (pg_trgm word similarity, same index)."""
    return Q(TrigramWordSimilar(Upper(NAME_COLUMN[model]), Value(text.strip().upper()[:100])))


def words_condition(model: type[models.Model], text: str) -> Q | None:
    """Every word of ``text`` starts a word of the record's other searched fields, if any.

    ``None`` when the model searches its name only, or ``text`` has no word.
    """
    vector = WORDS_VECTOR.get(model)
    query = prefix_query(text)
    if vector is None or query is None:
        return None
    return Q(SearchVectorExact(vector(), query))


def text_search(queryset: OwnedQuerySet[Any], text: str) -> OwnedQuerySet[Any]:
    """Records whose name contains every word of ``text``; failing that, close spellings.

    Activities also match when every word starts a word of their notes or outcome: a call
    is found by what was said, not only by its subject. The list keeps its own order (its
    pages are cursors on the sort column); the ranking is the fallback: close spellings of
    the name only show when nothing matches exactly.

    The name conditions are served by the trigram GIN index on ``UPPER(name)``, whose
    selectivity PostgreSQL estimates well, so list pages keep index plans on 100k rows
    (measured in ``bench/crm_pages.py``); the words of activities by a GIN index on their
    search vector. The typo fallback costs one ``EXISTS`` query.
    """
    text = text.strip()
    if not text:
        return queryset
    condition = name_condition(queryset.model, text)
    if (words := words_condition(queryset.model, text)) is not None:
        condition |= words
    matches = queryset.filter(condition)
    if len(text) < TYPO_MIN_LENGTH or matches.exists():
        return matches
    return queryset.filter(typo_condition(queryset.model, text))


def full_text_ids(model: type[models.Model], text: str) -> RawSQL:
    """Ids of rows whose search vector (name, email, title, city...) has every word as a prefix.

    The match runs in a ``MATERIALIZED`` CTE, planned on its own: PostgreSQL then reads the
    GIN index on ``search_vector`` instead of a sequential scan that hopes to stop early,
    which it picks under a ``LIMIT`` and which reads every row when nothing matches.
    """
    words = re.findall(r"\w+", text.lower())[:8]
    table = connection.ops.quote_name(model._meta.db_table)
    return RawSQL(  # noqa: S611 -- table name from the model, words are bound parameters
        f"WITH matches AS MATERIALIZED (SELECT id FROM {table} "  # noqa: S608 -- as above
        "WHERE search_vector @@ to_tsquery('simple', %s)) SELECT id FROM matches",
        (" & ".join(f"{word}:*" for word in words),),
    )


def rank_by_name(records: list[Any], text: str) -> list[Any]:
    """Exact names first, then names starting with the query, then words starting with it."""
    needle = text.strip().lower()

    def score(record: Any) -> tuple[int, int, str]:
        name = str(record).lower()
        if name == needle:
            tier = 0
        elif name.startswith(needle):
            tier = 1
        elif any(word.startswith(needle) for word in name.split()):
            tier = 2
        else:
            tier = 3
        return (tier, len(name), name)

    return sorted(records, key=score)


def ranked(queryset: OwnedQuerySet[Any], text: str) -> OwnedQuerySet[Any]:
    """Best name matches first (for short result lists such as record pickers)."""
    column = Upper(NAME_COLUMN[queryset.model])
    return queryset.annotate(score=TrigramWordSimilarity(text.strip().upper(), column)).order_by(
        "-score", "-id"
    )


@dataclass(frozen=True)
class SearchGroup:
    key: str
    label: Any
    icon: str
    results: list[Any]


SEARCHED = [
    ("contacts", _("Contacts"), "ti-address-book", Contact, ("owner",)),
    ("companies", _("Companies"), "ti-building", Company, ("owner",)),
    ("deals", _("Deals"), "ti-layout-kanban", Deal, ("stage", "owner")),
    ("leads", _("Leads"), "ti-user-search", Lead, ("owner",)),
]
#: Name matches fetched per type before ranking in Python.
CANDIDATES = 40


def _search_one(
    model: type[models.Model], related: tuple[str, ...], user: Any, text: str, per_type: int
) -> list[Any]:
    """Name matches; else full-text matches on the other fields; else close spellings.

    One query: a ``UNION ALL`` of the three conditions in that order under one ``LIMIT``.
    PostgreSQL runs the branches lazily, so a later branch only runs when the earlier ones
    found fewer than ``CANDIDATES`` rows. Each row carries its tier; only the best tier
    present is kept, as if each fallback ran after the previous one found nothing.
    """
    visible = model._default_manager.visible_to(user).select_related(*related)  # type: ignore[attr-defined]
    branches = [(0, name_condition(model, text))]
    query = prefix_query(text)
    if query is not None:
        branches.append((1, Q(pk__in=full_text_ids(model, text))))
    if len(text.strip()) >= TYPO_MIN_LENGTH:
        branches.append((2, typo_condition(model, text)))
    parts = [
        visible.filter(condition).annotate(search_tier=Value(tier)).order_by()[:CANDIDATES]
        for tier, condition in branches
    ]
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    rows = list(combined[:CANDIDATES])
    if not rows:
        return []
    best = min(row.search_tier for row in rows)
    matches = [row for row in rows if row.search_tier == best]
    if best == 0:
        return rank_by_name(matches, text)[:per_type]
    if best == 1:
        return matches[:per_type]
    needle = text.strip().lower()
    matches.sort(key=lambda r: -SequenceMatcher(None, needle, str(r).lower()).ratio())
    return matches[:per_type]


def global_search(*, user: Any, text: str, per_type: int = 5) -> list[SearchGroup]:
    """The best matches of each record type that ``user`` may see.

    One query per type, whether names match, the words occur only in other fields (email,
    title, city) or they are misspelt.
    """
    text = text.strip()[:100]
    if not text:
        return []
    groups = []
    for key, label, icon, model, related in SEARCHED:
        results = _search_one(model, related, user, text, per_type)
        if results:
            groups.append(SearchGroup(key=key, label=label, icon=icon, results=results))
    return groups


def contact_duplicates(
    *, user: Any, email: str = "", phone: str = "", name: str = "", exclude: int | None = None
) -> list[Contact]:
    """Contacts the user can see that are probably the same person."""
    condition = Q()
    if email:
        condition |= Q(email__iexact=email.strip())
    if phone:
        condition |= Q(phone=phone.strip()) | Q(mobile=phone.strip())
    if len(name.strip()) >= TYPO_MIN_LENGTH:
        condition |= Q(TrigramWordSimilar(Upper("full_name"), Value(name.strip().upper())))
    if not condition:
        return []
    queryset = Contact.objects.visible_to(user).filter(condition)
    if exclude:
        queryset = queryset.exclude(pk=exclude)
    return list(queryset.order_by("full_name")[:5])


def company_duplicates(
    *, user: Any, domain: str = "", phone: str = "", name: str = "", exclude: int | None = None
) -> list[Company]:
    """Companies the user can see that are probably the same organisation."""
    condition = Q()
    domain = domain.strip().lower().removeprefix("https://").removeprefix("http://")
    domain = domain.removeprefix("www.").split("/")[0]
    if domain:
        condition |= Q(domain__iexact=domain)
    if phone:
        condition |= Q(phone=phone.strip())
    if len(name.strip()) >= TYPO_MIN_LENGTH:
        condition |= Q(TrigramWordSimilar(Upper("name"), Value(name.strip().upper())))
    if not condition:
        return []
    queryset = Company.objects.visible_to(user).filter(condition)
    if exclude:
        queryset = queryset.exclude(pk=exclude)
    return list(queryset.order_by("name")[:5])
