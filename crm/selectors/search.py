"""Search over records: the Ctrl-K palette, the list search boxes and the record pickers.

Contacts, companies, leads and deals are found through the search columns their services
write (:mod:`crm.search_index`): folded names with their pinyin and initials, e-mail
addresses, web domains, phone digits and one-letter-off keys, each behind a GIN index.
Activities are found by their subject (trigram index on ``UPPER(subject)``) and by the
words of their notes and outcome (full text).
"""

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
from django.db import models
from django.db.models import Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.db.models.lookups import Contains
from django.utils.translation import gettext_lazy as _

from crm.models import Activity, Company, Contact, Deal, Lead, OwnedQuerySet
from crm.models.activities import activity_search_vector
from crm.search_index import Query, read_query

#: Record types found through their search columns.
INDEXED: tuple[type[models.Model], ...] = (Contact, Company, Lead, Deal)
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


def typo_condition_by_name(model: type[models.Model], text: str) -> Q:
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
    """Records found by ``text``; failing that, records found with one letter forgiven.

    Contacts, companies, leads and deals are found through their search columns
    (:mod:`crm.search_index`): every word of ``text`` in a name, its pinyin or initials, an
    e-mail address or the web domain; the whole of ``text`` as a name, address or domain;
    a phone number by its digits. Close spellings (one letter missing, extra, wrong or
    swapped in a word of five letters or more) only show when nothing matches as typed:
    the list keeps its own order (its pages are cursors on the sort column), so a typo
    match is never listed among real ones.

    Activities are found by their subject, and by words their notes or outcome start with.
    The typo fallback costs one ``EXISTS`` query.
    """
    text = text.strip()
    if not text:
        return queryset
    model = queryset.model
    if model not in INDEXED:
        return _activity_search(queryset, text)
    query = read_query(text)
    if not query:
        return queryset.none()
    matches = queryset.filter(match_condition(model, query))
    typo = typo_condition(model, query)
    if typo is None or matches.exists():
        return matches
    return queryset.filter(typo)


def _activity_search(queryset: OwnedQuerySet[Any], text: str) -> OwnedQuerySet[Any]:
    """Activities whose subject contains every word, or whose notes have words starting so."""
    condition = name_condition(queryset.model, text)
    if (words := words_condition(queryset.model, text)) is not None:
        condition |= words
    matches = queryset.filter(condition)
    if len(text) < TYPO_MIN_LENGTH or matches.exists():
        return matches
    return queryset.filter(typo_condition_by_name(queryset.model, text))


# --- Conditions on the search columns ------------------------------------------------------


def _has_phones(model: type[models.Model]) -> bool:
    return any(field.name == "search_phones" for field in model._meta.concrete_fields)


def _all_words(query: Query, pattern: str) -> Q:
    """Every word of the query occurs in ``search_text`` as its ``pattern`` says."""
    condition = Q()
    for word in query.words:
        condition &= Q(search_text__contains=getattr(word, pattern))
    return condition


def _any_of(conditions: list[Q | None]) -> Q | None:
    present = [c for c in conditions if c is not None]
    if not present:
        return None
    combined = present[0]
    for condition in present[1:]:
        combined |= condition
    return combined


def keys_condition(query: Query) -> Q | None:
    """The whole query is a name, pinyin, initials, an address or a domain of the record."""
    return Q(search_keys__overlap=query.keys) if query.keys else None


def phone_condition(model: type[models.Model], query: Query, *, same_number: bool) -> Q | None:
    """A phone number of the record ends with the query's last digits (``same_number``), or
    holds them anywhere; or is the query's last seven digits alone (a local number)."""
    if not query.phone_tail or not _has_phones(model):
        return None
    tail = f"{query.phone_tail} " if same_number else query.phone_tail
    condition = Q(search_phones__contains=tail)
    if len(query.phone_tail) > len(query.phone_local):
        condition |= Q(search_phones__contains=f" {query.phone_local} ")
    return condition


def match_condition(model: type[models.Model], query: Query) -> Q:
    """Found as typed: the words, the whole query as a key, or the phone number."""
    words = _all_words(query, "contains") if query.words else None
    found = _any_of(
        [words, keys_condition(query), phone_condition(model, query, same_number=False)]
    )
    return found if found is not None else Q(pk__in=[])


def typo_condition(model: type[models.Model], query: Query) -> Q | None:
    """Every word found as typed or one letter off (``None``: no word forgives typos).

    The matching ids are collected in a ``MATERIALIZED`` CTE, planned on its own: the
    one-letter-off keys of a word always come together, which PostgreSQL's estimate of
    ``&&`` cannot know, so it guesses several times too many rows and, under a ``LIMIT``,
    prefers walking the name index to reading the GIN index. Planned alone, the CTE reads
    the index; the page then fetches its rows by id.
    """
    if not any(word.typo_keys for word in query.words):
        return None
    condition = Q()
    for word in query.words:
        found = Q(search_text__contains=word.contains)
        if word.typo_keys:
            found |= Q(search_typos__overlap=word.typo_keys)
        condition &= found
    inner = model._default_manager.filter(condition).order_by().values("pk")
    sql, params = inner.query.sql_with_params()
    return Q(
        pk__in=RawSQL(  # noqa: S611 -- Django-compiled SQL, values are bound parameters
            f"WITH typo_matches AS MATERIALIZED ({sql}) SELECT * FROM typo_matches",  # noqa: S608 -- as above
            params,
        )
    )


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


#: (key, label, icon, model, related rows, columns shown). A result shows its name, e-mail
#: address or stage and owner; ``search_text`` orders results within a tier.
SEARCHED = [
    ("contacts", _("Contacts"), "ti-address-book", Contact, ("owner",),
     ("first_name", "last_name", "email")),
    ("companies", _("Companies"), "ti-building", Company, ("owner",), ("name",)),
    ("deals", _("Deals"), "ti-layout-kanban", Deal, ("stage", "owner"), ("title", "stage__name")),
    ("leads", _("Leads"), "ti-user-search", Lead, ("owner",), ("name", "email")),
]  # fmt: skip
#: Rows fetched per tier and type before ranking in Python.
CANDIDATES = 20


class Tier:
    """How well a record matches, best first."""

    EXACT = 0  # the whole query is its name, pinyin, initials, an address, domain or number
    PREFIX = 1  # every word starts a word (or a pinyin syllable, an address...) of it
    CONTAINS = 2  # every word occurs in it; or its phone number holds the digits
    TYPO = 3  # every word occurs in it, or is one letter off a word of its names


def _word_starts_help(query: Query) -> bool:
    """Whether "every word starts a token" is worth its own tier: for words of letters and
    digits. A word with punctuation (an address, a domain) is found whole by the exact tier
    and inside a token by the contains tier; as a token start, its trigrams (``qq`` and
    ``com`` of ``qq.com``) would point at every address of that provider."""
    return bool(query.words) and all(
        all(part.isalnum() for part in word.prefix.split()) for word in query.words
    )


def tier_conditions(model: type[models.Model], query: Query) -> list[tuple[int, Q]]:
    """The condition of each tier the query can reach, best first."""
    tiers = [
        (
            Tier.EXACT,
            _any_of([keys_condition(query), phone_condition(model, query, same_number=True)]),
        ),
        (Tier.PREFIX, _all_words(query, "prefix") if _word_starts_help(query) else None),
        (Tier.CONTAINS, match_condition(model, query)),
        (Tier.TYPO, typo_condition(model, query)),
    ]
    return [(tier, condition) for tier, condition in tiers if condition is not None]


def _order_in_tier(record: Any, tier: int, query: Query) -> tuple[Any, ...]:
    """Within a tier: whole words before word starts, then the closest and shortest name."""
    name = str(record).casefold()
    text = getattr(record, "search_text", "")
    whole_words = all(f"{word.prefix} " in text for word in query.words)
    closeness = SequenceMatcher(None, query.text, name).ratio() if tier == Tier.TYPO else 0.0
    return (tier, not whole_words, -closeness, len(name), name, record.pk)


def _search_one(
    model: type[models.Model],
    related: tuple[str, ...],
    shown: tuple[str, ...],
    user: Any,
    query: Query,
    per_type: int,
) -> list[Any]:
    """The best ``per_type`` matches of one record type, in one query.

    A ``UNION ALL`` of the tiers in order, each limited to ``CANDIDATES``, under one
    ``LIMIT``: PostgreSQL runs the branches lazily, so a worse tier is only read when the
    better ones found fewer rows. A record in several tiers keeps its best; Python orders
    within the tiers. The branches carry no "and not in a better tier" condition: it would
    make each far rarer than PostgreSQL estimates, and under a ``LIMIT`` it would then scan
    the table hoping to stop early.
    """
    visible = (
        model._default_manager.visible_to(user)  # type: ignore[attr-defined]
        .select_related(*related)
        .only(*shown, "search_text", "owner__full_name", "owner__email")
    )
    parts = [
        visible.filter(condition).annotate(search_tier=Value(tier)).order_by()[:CANDIDATES]
        for tier, condition in tier_conditions(model, query)
    ]
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    best: dict[int, Any] = {}
    for row in combined[: CANDIDATES * 2]:
        if row.pk not in best or row.search_tier < best[row.pk].search_tier:
            best[row.pk] = row
    rows = sorted(best.values(), key=lambda row: _order_in_tier(row, row.search_tier, query))
    return rows[:per_type]


def global_search(*, user: Any, text: str, per_type: int = 5) -> list[SearchGroup]:
    """The best matches of each record type that ``user`` may see: exact names, addresses,
    domains and numbers first, then names starting with the query, then names containing
    it, then names one letter off. One query per type."""
    query = read_query(text.strip())
    if not query:
        return []
    groups = []
    for key, label, icon, model, related, shown in SEARCHED:
        results = _search_one(model, related, shown, user, query, per_type)
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
