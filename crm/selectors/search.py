"""Text search over records: PostgreSQL full text for words, pg_trgm for typos and fragments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, TrigramWordSimilarity
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Upper
from django.db.models.lookups import Contains
from django.utils.translation import gettext_lazy as _

from crm.models import Company, Contact, Deal, Lead, OwnedQuerySet

#: The column each record type is known by.
NAME_COLUMN: dict[type[models.Model], str] = {
    Contact: "full_name",
    Company: "name",
    Lead: "name",
    Deal: "title",
}
#: Shorter queries only use full text and substring matching (trigrams of 1-2 letters are noise).
TYPO_MIN_LENGTH = 3


def prefix_query(text: str) -> SearchQuery | None:
    """Every word of ``text`` as a prefix: ``ann smi`` finds "Anna Smith"."""
    words = re.findall(r"\w+", text.lower())[:8]
    if not words:
        return None
    return SearchQuery(" & ".join(f"{w}:*" for w in words), search_type="raw", config="simple")


def text_condition(model: type[models.Model], text: str) -> Q:
    """Rows whose words start with the query's words, whose name contains it, or is close to it."""
    text = text.strip()[:100]
    column = Upper(NAME_COLUMN[model])
    condition = Q(Contains(column, text.upper()))
    query = prefix_query(text)
    if query is not None:
        condition |= Q(search_vector=query)
    if len(text) >= TYPO_MIN_LENGTH:
        condition |= Q(TrigramWordSimilar(column, Value(text.upper())))
    return condition


def text_search(queryset: OwnedQuerySet[Any], text: str) -> OwnedQuerySet[Any]:
    return queryset.filter(text_condition(queryset.model, text))


def ranked(queryset: OwnedQuerySet[Any], text: str) -> OwnedQuerySet[Any]:
    """Best name matches first."""
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


def global_search(*, user: Any, text: str, per_type: int = 5) -> list[SearchGroup]:
    """The best matches of each record type that ``user`` may see (one query per type)."""
    if not text.strip():
        return []
    groups = []
    for key, label, icon, model, related in SEARCHED:
        queryset = text_search(model._default_manager.visible_to(user), text)  # type: ignore[attr-defined]
        results = list(ranked(queryset, text).select_related(*related)[:per_type])
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
