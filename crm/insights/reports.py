"""The report builder: a record kind, the list's filters, one or two groupings, a measure.

Filters are the record list's own filter form (custom fields included) applied to the
records the viewer may see; the grouping and the measure run as one grouped SQL query. Money
is summed in the base currency (``Conversion.amount``). Results are bounded (``MAX_ROWS``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, F, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.insights.selectors.money import Conversion
from crm.models import CustomFieldDefinition
from crm.selectors.exports import safe_cell, xlsx_cell
from crm.selectors.lists import filtered
from tenants.users.models import User

#: Rows a report returns at most.
MAX_ROWS = 500

#: Fields a report groups by, per record kind: key → (label, path, is a date). The owner is
#: grouped by id and named afterwards (no join with the users in the grouped scan).
GROUPS: dict[str, dict[str, tuple[Any, str, bool]]] = {
    "deal": {
        "owner": (gettext_lazy("Owner"), "owner_id", False),
        "pipeline": (gettext_lazy("Pipeline"), "pipeline__name", False),
        "stage": (gettext_lazy("Stage"), "stage__name", False),
        "currency": (gettext_lazy("Currency"), "currency", False),
        "lost_reason": (gettext_lazy("Lost reason"), "lost_reason", False),
        "created": (gettext_lazy("Created"), "created_at", True),
        "expected_close": (gettext_lazy("Expected close"), "expected_close_on", True),
        "won": (gettext_lazy("Won"), "won_at", True),
    },
    "contact": {
        "owner": (gettext_lazy("Owner"), "owner_id", False),
        "city": (gettext_lazy("City"), "city", False),
        "country": (gettext_lazy("Country"), "country", False),
        "created": (gettext_lazy("Created"), "created_at", True),
    },
    "company": {
        "owner": (gettext_lazy("Owner"), "owner_id", False),
        "industry": (gettext_lazy("Industry"), "industry", False),
        "city": (gettext_lazy("City"), "city", False),
        "country": (gettext_lazy("Country"), "country", False),
        "created": (gettext_lazy("Created"), "created_at", True),
    },
    "lead": {
        "owner": (gettext_lazy("Owner"), "owner_id", False),
        "source": (gettext_lazy("Source"), "source", False),
        "status": (gettext_lazy("Status"), "status", False),
        "created": (gettext_lazy("Created"), "created_at", True),
    },
    "activity": {
        "owner": (gettext_lazy("Owner"), "owner_id", False),
        "kind": (gettext_lazy("Type"), "kind", False),
        "created": (gettext_lazy("Created"), "created_at", True),
        "done": (gettext_lazy("Done"), "done_at", True),
    },
}

#: Numeric fields a report sums or averages, per kind: key → label ("amount" in base currency).
NUMBERS: dict[str, dict[str, Any]] = {
    "deal": {"amount": gettext_lazy("Amount"), "probability": gettext_lazy("Probability (%)")},
    "activity": {"duration_minutes": gettext_lazy("Duration (minutes)")},
}

DATE_STEPS = {"week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter}


def group_choices(kind: str, definitions: list[CustomFieldDefinition]) -> list[tuple[str, str]]:
    choices = [(key, str(label)) for key, (label, _path, _date) in GROUPS.get(kind, {}).items()]
    choices += [(f"cf_{d.key}", str(d.label)) for d in definitions]
    return choices


@dataclass(frozen=True)
class ReportRow:
    first: str
    second: str
    value: Decimal | int


@dataclass(frozen=True)
class ReportResult:
    headers: list[str]
    rows: list[ReportRow]
    two_groups: bool
    truncated: bool

    def chart(self) -> dict[str, Any]:
        """Bars by the first grouping; one dataset per value of the second (at most 8)."""
        labels = list(dict.fromkeys(row.first for row in self.rows))
        seconds = (
            list(dict.fromkeys(row.second for row in self.rows))[:8] if self.two_groups else [""]
        )
        values = {(row.first, row.second): float(row.value or 0) for row in self.rows}
        datasets = [
            {
                "label": second or self.headers[-1],
                "data": [values.get((f, second), 0) for f in labels],
            }
            for second in seconds
        ]
        return {
            "type": "bar",
            "labels": labels,
            "datasets": datasets,
            "urls": [],
            "horizontal": False,
        }

    def csv_text(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([safe_cell(h) for h in self.headers])
        for row in self.rows:
            cells: list[Any] = [row.first, row.second] if self.two_groups else [row.first]
            writer.writerow([safe_cell(c) for c in [*cells, row.value]])
        return buffer.getvalue()

    def xlsx_bytes(self, title: str) -> bytes:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=(title or "Report")[:31])
        sheet.append([xlsx_cell(h) for h in self.headers])
        for row in self.rows:
            cells: list[Any] = [row.first, row.second] if self.two_groups else [row.first]
            sheet.append([xlsx_cell(c) for c in [*cells, row.value]])
        output = io.BytesIO()
        workbook.save(output)
        return output.getvalue()


def _group_expression(kind: str, key: str, step: str) -> tuple[Any, str, bool]:
    if key.startswith("cf_"):
        return KeyTextTransform(key.removeprefix("cf_"), "custom"), key, False
    label, path, is_date = GROUPS[kind][key]
    if is_date:
        return DATE_STEPS.get(step, TruncMonth)(path), str(label), True
    return F(path), str(label), False


def _owner_names(rows: list[dict[str, Any]], keys: list[str]) -> dict[Any, str]:
    """The names of the owners ``rows`` group by (under ``keys``), by id."""
    ids = {row[key] for row in rows for key in keys} - {None}
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "full_name"))


def _label(value: Any, *, is_date: bool, step: str) -> str:
    if value is None or value == "":
        return "—"
    if is_date:
        if step == "week":
            return date_format(value, "SHORT_DATE_FORMAT")
        if step == "quarter":
            return f"{value.year} Q{(value.month - 1) // 3 + 1}"
        return date_format(value, "YEAR_MONTH_FORMAT")
    return str(value)


def _order_key(value: Any) -> tuple[bool, Any]:
    """Ascending with empty values last, as the database orders a grouping."""
    return (value is None, "" if value is None else value)


def run_report(
    *,
    queryset: Any,
    kind: str,
    params: Mapping[str, Any],
    filters: Mapping[str, Any],
    definitions: list[CustomFieldDefinition],
    custom_filters: Mapping[str, Any],
    group_labels: Mapping[str, str],
) -> ReportResult:
    """The report over ``queryset`` (already the viewer's visible records of ``kind``)."""
    records = filtered(
        queryset, params=filters, definitions=definitions, custom_filters=custom_filters
    )
    step = params.get("step") or "month"
    first_expr, first_label, first_date = _group_expression(kind, params["by"], step)
    second_key = params.get("then") or ""
    measure, number = params.get("measure") or "count", params.get("field") or ""
    if number == "amount" and kind == "deal":
        field_expr: Any = Conversion.current().amount()
    else:
        field_expr = F(number) if number else None
    if measure == "sum" and field_expr is not None:
        aggregate: Any = Sum(field_expr)
        value_label = _("Sum of %(field)s") % {"field": NUMBERS[kind][number]}
    elif measure == "avg" and field_expr is not None:
        aggregate = Avg(field_expr)
        value_label = _("Average of %(field)s") % {"field": NUMBERS[kind][number]}
    else:
        aggregate, value_label = Count("pk"), _("Count")
    annotations = {"g1": first_expr}
    headers = [group_labels.get(params["by"], first_label)]
    second_date = False
    if second_key:
        second_expr, second_label, second_date = _group_expression(kind, second_key, step)
        annotations["g2"] = second_expr
        headers.append(group_labels.get(second_key, second_label))
    headers.append(value_label)
    rows = list(
        records.order_by()
        .annotate(**annotations)
        .values(*annotations)
        .annotate(value=aggregate)
        .order_by(*annotations)[: MAX_ROWS + 1]
    )
    owner_keys = [k for k, key in (("g1", params["by"]), ("g2", second_key)) if key == "owner"]
    if owner_keys:
        names = _owner_names(rows, owner_keys)
        for row in rows:
            for key in owner_keys:
                row[key] = names.get(row[key])
        rows.sort(key=lambda row: tuple(_order_key(row.get(key)) for key in annotations))
    result = [
        ReportRow(
            first=_label(row["g1"], is_date=first_date, step=step),
            second=_label(row.get("g2"), is_date=second_date, step=step) if second_key else "",
            value=row["value"]
            if isinstance(row["value"], int)
            else Decimal(row["value"] or 0).quantize(Decimal("0.01")),
        )
        for row in rows[:MAX_ROWS]
    ]
    return ReportResult(
        headers=headers, rows=result, two_groups=bool(second_key), truncated=len(rows) > MAX_ROWS
    )
