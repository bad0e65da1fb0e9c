"""Running a report from its query string, for the page, the exports and the e-mails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from crm.insights.forms import ReportForm
from crm.insights.reports import NUMBERS, ReportResult, group_choices, run_report
from crm.views.kinds import KINDS
from crm.views.records import definitions_for


@dataclass
class ReportRun:
    form: ReportForm
    filter_form: Any
    result: ReportResult | None

    @property
    def valid(self) -> bool:
        return self.form.is_valid() and self.filter_form.is_valid()


def report_run(*, user: Any, query: QueryDict) -> ReportRun:
    """The report the query string describes, over the records ``user`` may see (no result
    until a grouping is chosen; invalid parameters leave the forms with their errors)."""
    kind = query.get("record") or "deal"
    spec = KINDS.get(kind) or KINDS["deal"]
    definitions = definitions_for(spec)
    groups = group_choices(spec.key, definitions)
    numbers = [(key, str(label)) for key, label in NUMBERS.get(spec.key, {}).items()]
    form = ReportForm(query, groups=groups, numbers=numbers)
    filter_form = spec.filter_form_class(query, definitions=definitions)
    result = None
    if form.is_valid() and filter_form.is_valid() and form.cleaned_data.get("by"):
        result = run_report(
            queryset=spec.objects().visible_to(user),
            kind=spec.key,
            params=form.cleaned_data,
            filters=filter_form.cleaned_data,
            definitions=filter_form.definitions,
            custom_filters=filter_form.custom_filters(),
            group_labels=dict(groups),
        )
    return ReportRun(form=form, filter_form=filter_form, result=result)
