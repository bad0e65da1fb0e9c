"""Reads of marketing: a segment's members, its size, and the forms that define them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Greatest
from django.utils import timezone

from billing.features import feature_enabled
from crm.insights.flags import ValueCondition, filter_by_value
from crm.marketing.forms import SegmentFilterForm, SegmentQueryForm
from crm.marketing.models import Segment, SegmentRecordType
from crm.models import (
    Activity,
    Company,
    Contact,
    CustomFieldDefinition,
    Deal,
    DealContact,
    ObjectType,
    StageKind,
)
from crm.selectors.lists import filtered
from crm.selectors.money import rates_in_force, workspace_currency

MODELS: dict[str, type[Contact] | type[Company]] = {
    SegmentRecordType.CONTACT: Contact,
    SegmentRecordType.COMPANY: Company,
}


def definitions_for(record_type: str) -> list[CustomFieldDefinition]:
    """The custom fields a segment of ``record_type`` may filter on (none without the plan)."""
    definitions = list(CustomFieldDefinition.objects.for_type(ObjectType(record_type)))
    if definitions and not feature_enabled("custom_fields"):
        return []
    return definitions


def segment_filter_form(
    record_type: str, data: Mapping[str, Any] | None = None
) -> SegmentFilterForm:
    return SegmentFilterForm(data, definitions=definitions_for(record_type))


def segment_query_form(record_type: str, data: Mapping[str, Any]) -> SegmentQueryForm:
    """The saved filter, parsed for evaluation (no pickers loaded)."""
    return SegmentQueryForm(data, definitions=definitions_for(record_type))


def _amount_in_base(prefix: str) -> Case:
    """A deal's amount in the base currency (currencies without a rate count as nothing)."""
    base = workspace_currency()
    output: DecimalField[Decimal, Decimal] = DecimalField(max_digits=30, decimal_places=8)
    whens = [When(**{f"{prefix}currency": base}, then=F(f"{prefix}amount"))]
    for code, used in rates_in_force(base=base).items():
        whens.append(
            When(**{f"{prefix}currency": code}, then=F(f"{prefix}amount") * Value(used.rate))
        )
    return Case(*whens, default=Value(Decimal(0)), output_field=output)


def _won_links(record_type: str) -> QuerySet[Any]:
    """Won deals by the contact (deal contacts) or the company they belong to."""
    if record_type == SegmentRecordType.CONTACT:
        return DealContact.objects.filter(deal__stage__kind=StageKind.WON)
    return Deal.objects.filter(stage__kind=StageKind.WON, company__isnull=False)


def history_filtered(
    queryset: QuerySet[Any], record_type: str, params: Mapping[str, Any]
) -> QuerySet[Any]:
    """Deal history (a won deal, won value above X), customer value (RFM segment, at risk,
    top 20 %: ``crm.insights.flags``) and activity recency conditions.

    Deal history is a semi-join on one grouped subquery over the (few) won deals, hashed
    once, rather than a correlated subquery per record.
    """
    contact = record_type == SegmentRecordType.CONTACT
    link = "contact" if contact else "company"
    if params.get("has_won_deal"):
        queryset = queryset.filter(pk__in=_won_links(record_type).values(link))
    above = params.get("won_value_above")
    if above is not None:
        totals = (
            _won_links(record_type)
            .order_by()
            .values(link)
            .annotate(total=Sum(_amount_in_base("deal__" if contact else "")))
            .filter(total__gt=above)
            .values(link)
        )
        queryset = queryset.filter(pk__in=totals)
    queryset = filter_by_value(
        queryset,
        ValueCondition(
            segments=(params["value_segment"],) if params.get("value_segment") else (),
            at_risk=bool(params.get("value_at_risk")),
            top=bool(params.get("value_top")),
        ),
    )
    days = params.get("no_activity_days")
    if days:
        since = timezone.now() - timedelta(days=int(days))
        # Created or done since: the later of the two (``GREATEST`` skips a NULL), the
        # expression of ``crm_activity_last_touch_idx``. PostgreSQL anti-joins a hash of the
        # recent activities read from that index alone, or probes each record's activities
        # when the other conditions leave few records.
        recent = (
            Activity.objects.filter(**{link: OuterRef("pk")})
            .alias(last_touch=Greatest("created_at", "done_at"))
            .filter(last_touch__gte=since)
        )
        queryset = queryset.filter(~Exists(recent))
    return queryset


def segment_members(segment: Segment, *, user: Any) -> QuerySet[Any]:
    """The contacts or companies of ``segment`` that ``user`` may see.

    A filter whose values no longer parse (a tag deleted since) selects nobody rather than
    everybody: see :func:`segment_problems`.
    """
    model = MODELS[segment.record_type]
    base = model.objects.visible_to(user)
    if segment.is_static:
        return base.filter(segment_memberships__segment=segment)  # type: ignore[misc]  # contacts only
    return segment_filter_queryset(base, segment.record_type, segment.filters)


def segment_filter_queryset(
    base: QuerySet[Any],
    record_type: str,
    filters: Mapping[str, Any],
    *,
    form: SegmentQueryForm | None = None,
) -> QuerySet[Any]:
    form = form or segment_query_form(record_type, filters)
    if not form.is_valid():
        return base.none()
    queryset = filtered(
        base,  # type: ignore[arg-type]
        params=form.cleaned_data,
        definitions=form.definitions,
        custom_filters=form.custom_filters(),
    )
    return history_filtered(queryset, record_type, form.cleaned_data)


def segment_problems(segment: Segment, *, form: SegmentFilterForm | None = None) -> list[str]:
    """What no longer parses in a dynamic segment's filters (empty when all is well)."""
    if segment.is_static:
        return []
    form = form or segment_filter_form(segment.record_type, segment.filters)
    if form.is_valid():
        return []
    return [
        f"{form[name].label}: {' '.join(str(e) for e in errors)}"
        for name, errors in form.errors.items()
    ]


def segment_size(segment: Segment, *, user: Any) -> int | None:
    """How many members ``user`` sees (one ``COUNT`` query); ``None`` when the saved filter
    no longer parses."""
    if segment.is_static:
        return int(segment_members(segment, user=user).order_by().count())
    form = segment_query_form(segment.record_type, segment.filters)
    if not form.is_valid():
        return None
    base = MODELS[segment.record_type].objects.visible_to(user)
    return int(segment_filter_queryset(base, segment.record_type, {}, form=form).order_by().count())


def segments_visible(user: Any) -> QuerySet[Segment]:
    """Segments are the workspace's: everyone signed in sees them (members stay filtered)."""
    return Segment.objects.select_related("owner").order_by("name", "id")
