"""Filters of the insights pages: period, pipeline, owner."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.forms.base import CrmForm
from crm.forms.widgets import active_users, style_fields
from crm.insights.models import CustomerKind, ReportFrequency
from crm.insights.selectors.scope import Scope
from crm.models import Pipeline
from crm.models.visibility import sees_everything
from tenants.users.models import User


class Period:
    LAST_30 = "30d"
    LAST_90 = "90d"
    THIS_QUARTER = "quarter"
    THIS_YEAR = "year"
    LAST_365 = "365d"

    CHOICES = [
        (LAST_30, _("Last 30 days")),
        (LAST_90, _("Last 90 days")),
        (THIS_QUARTER, _("This quarter")),
        (THIS_YEAR, _("This year")),
        (LAST_365, _("Last 12 months")),
    ]


def period_bounds(period: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day (inclusive) of a named period ending today."""
    if period == Period.THIS_QUARTER:
        return today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1), today
    if period == Period.THIS_YEAR:
        return today.replace(month=1, day=1), today
    days = {Period.LAST_30: 30, Period.LAST_365: 365}.get(period, 90)
    return today - datetime.timedelta(days=days - 1), today


class InsightsFilterForm(CrmForm):
    """Period (named, or from/to days), pipeline and owner of an insights page."""

    period = forms.ChoiceField(
        choices=Period.CHOICES, required=False, initial=Period.LAST_90, label=_("Period")
    )
    start = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    pipeline = forms.ModelChoiceField(
        queryset=Pipeline.objects.order_by("position", "id"),
        required=False,
        empty_label=None,
        label=_("Pipeline"),
    )
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Owner"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if self.is_bound and not any(self.data.get(key) for key in ("period", "start", "end")):
            # No period asked for: the figures cover the default, and the picker must say so
            # (an empty value would show the list's first choice, "Last 30 days").
            data = self.data.dict() if isinstance(self.data, QueryDict) else dict(self.data)
            self.data = {**data, "period": Period.LAST_90}
        if sees_everything(user):
            owners = [(u.pk, str(u)) for u in active_users().only("full_name", "email")]
        else:
            owners = [(user.pk, str(user))]
        self.fields["owner"].choices = [("", _("Everyone I can see")), *owners]  # type: ignore[attr-defined]
        style_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period is before its start."))
        return data

    def scope(self) -> Scope:
        """The page's scope from the cleaned filters (defaults: last 90 days, first pipeline)."""
        data = self.cleaned_data
        today = timezone.localdate()
        start, end = period_bounds(data.get("period") or Period.LAST_90, today)
        start = data.get("start") or start
        end = data.get("end") or (end if not data.get("start") else max(today, start))
        pipeline = data.get("pipeline") or Pipeline.objects.order_by("position", "id").first()
        return Scope(
            user=self.user, start=start, end=end, pipeline=pipeline, owner_id=data.get("owner")
        )


class RepFilterForm(InsightsFilterForm):
    """The rep pages look across every pipeline."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        del self.fields["pipeline"]

    def scope(self) -> Scope:
        scope = super().scope()
        return Scope(
            user=scope.user,
            start=scope.start,
            end=scope.end,
            pipeline=None,
            owner_id=scope.owner_id,
        )


class QuotaForm(CrmForm):
    """A rep's quota for one month, in the base currency."""

    owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Rep"))
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    amount = forms.DecimalField(
        label=_("Quota"), min_value=Decimal(0), max_digits=16, decimal_places=2
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()  # type: ignore[attr-defined]
        style_fields(self)


class CustomerFilterForm(CrmForm):
    """Companies or contacts, and whose."""

    kind = forms.ChoiceField(choices=CustomerKind.choices, required=False, label=_("Customers"))
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Owner"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sees_everything(user):
            owners = [(u.pk, str(u)) for u in active_users().only("full_name", "email")]
        else:
            owners = [(user.pk, str(user))]
        self.fields["owner"].choices = [("", _("Everyone I can see")), *owners]  # type: ignore[attr-defined]
        style_fields(self)


class ProbabilityFilterForm(InsightsFilterForm):
    """Pipeline, owner and page of the open deals (no period: every open deal counts)."""

    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        for name in ("period", "start", "end"):
            del self.fields[name]


class ReportForm(CrmForm):
    """What a report shows: record kind, one or two groupings, the date step, the measure."""

    KINDS = [
        ("deal", _("Deals")),
        ("contact", _("Contacts")),
        ("company", _("Companies")),
        ("lead", _("Leads")),
        ("activity", _("Activities")),
    ]
    MEASURES = [("count", _("Count")), ("sum", _("Sum")), ("avg", _("Average"))]
    STEPS = [("week", _("Week")), ("month", _("Month")), ("quarter", _("Quarter"))]

    record = forms.ChoiceField(choices=KINDS, required=False, label=_("Records"))
    by = forms.ChoiceField(required=False, label=_("Group by"))
    then = forms.ChoiceField(required=False, label=_("Then by"))
    step = forms.ChoiceField(choices=STEPS, required=False, label=_("Dates by"))
    measure = forms.ChoiceField(choices=MEASURES, required=False, label=_("Measure"))
    field = forms.ChoiceField(required=False, label=_("Of"))

    def __init__(
        self,
        *args: Any,
        groups: list[tuple[str, str]],
        numbers: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["by"].choices = [("", _("Choose…")), *groups]  # type: ignore[attr-defined]
        self.fields["then"].choices = [("", _("— None —")), *groups]  # type: ignore[attr-defined]
        self.fields["field"].choices = [("", "—"), *numbers]  # type: ignore[attr-defined]
        style_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("measure") in ("sum", "avg") and not data.get("field"):
            self.add_error("field", _("Choose the number to sum or average."))
        if data.get("then") and data.get("then") == data.get("by"):
            self.add_error("then", _("Choose another field than the first grouping."))
        return data


class SavedReportForm(CrmForm):
    name = forms.CharField(max_length=100, label=_("Name"))
    shared = forms.BooleanField(required=False, label=_("Share with the workspace"))
    frequency = forms.ChoiceField(
        choices=ReportFrequency.choices, required=False, label=_("E-mail it to me")
    )
    hour = forms.IntegerField(min_value=0, max_value=23, initial=8, label=_("At (hour, your time)"))
    query = forms.CharField(max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)
