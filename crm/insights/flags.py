"""Customer-value flags as conditions: the vocabulary segments, care touches and workflow
rules share to pick customers by their RFM segment, the "at risk" flag or the top 20 %.

Every condition reads the precomputed ``insights.CustomerValue`` table (refreshed hourly by
``insights.customer_values_refresh``): a selection is a semi-join on ``record_id`` served by
the table's indexes (``insights_value_segment_idx``, ``insights_value_risk_idx``,
``insights_value_top_idx``), so a segment's size stays one ``COUNT`` query. A customer without
won deals has no row and matches no flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from crm.insights.models import CustomerKind, CustomerValue, Segment

#: The record kinds that have a customer value.
VALUE_KINDS = (CustomerKind.COMPANY.value, CustomerKind.CONTACT.value)


@dataclass(frozen=True)
class ValueCondition:
    """Which customers to pick: in one of ``segments`` (any), flagged at risk, in the top
    20 % — each given condition must hold."""

    segments: tuple[str, ...] = ()
    at_risk: bool = False
    top: bool = False

    def __bool__(self) -> bool:
        return bool(self.segments or self.at_risk or self.top)

    def q(self) -> Q:
        condition = Q()
        if self.segments:
            condition &= Q(segment__in=self.segments)
        if self.at_risk:
            condition &= Q(at_risk=True)
        if self.top:
            condition &= Q(top_customer=True)
        return condition


def value_record_ids(kind: str, condition: ValueCondition) -> QuerySet[CustomerValue, Any]:
    """The ids of the ``kind`` records meeting ``condition``, as a subquery for ``pk__in``."""
    return (
        CustomerValue.objects.filter(kind=kind).filter(condition.q()).order_by().values("record_id")
    )


def filter_by_value(records: QuerySet[Any], condition: ValueCondition) -> QuerySet[Any]:
    """``records`` (companies or contacts) narrowed to those meeting ``condition``."""
    if not condition:
        return records
    kind = str(records.model._meta.model_name)
    if kind not in VALUE_KINDS:
        return records.none()
    return records.filter(pk__in=value_record_ids(kind, condition))


def value_of(kind: str, record_id: int | None) -> CustomerValue | None:
    """One customer's value (one query on the table's unique index), or ``None``."""
    if kind not in VALUE_KINDS or record_id is None:
        return None
    return CustomerValue.objects.filter(kind=kind, record_id=record_id).first()


def segment_choices() -> list[tuple[str, Any]]:
    """The RFM segments, best first, as form choices."""
    return list(Segment.choices)


#: Condition fields of workflow rules, per record type: the path and what it reads.
#: A deal reads the value of its company.
RULE_VALUE_FIELDS: dict[str, tuple[tuple[str, Any], ...]] = {
    kind: (
        ("value.segment", _("Customer segment (RFM)")),
        ("value.at_risk", _("Customer at risk")),
        ("value.top_customer", _("In the top 20 %")),
    )
    for kind in ("company", "contact", "deal")
}


def segment_labels(code: str) -> list[str]:
    """A segment's label in each language of the product (a rule's author may type any)."""
    label = dict(Segment.choices).get(code)
    if label is None:
        return []
    names = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.append(str(label))
    return names


def rule_value_field(record: Any, path: str) -> Any:
    """A workflow rule's ``value.*`` condition field of ``record``: the segment (its code and
    label, so either matches), or the flag as a boolean; ``None`` without a customer value."""
    kind = str(record._meta.model_name)
    record_id = record.pk
    if kind == "deal":
        kind, record_id = "company", getattr(record, "company_id", None)
    value = value_of(kind, record_id)
    name = path.removeprefix("value.")
    if value is None:
        return None if name == "segment" else False
    if name == "segment":
        return [value.segment, *segment_labels(value.segment)]
    if name == "at_risk":
        return value.at_risk
    if name == "top_customer":
        return value.top_customer
    return None
