"""Forms of the guided start (the public signup forms are in ``forms.py``)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from core.locales import country_choices, currency_choices, time_zone_choices
from core.widgets import LongSelect
from crm.models import Colour, StageKind
from onboarding.models import Goal, Headcount, Industry, Step
from onboarding.services import DepartmentAnswer, StageSpec
from tenants.users.forms import InvitationForm, TablerForm

#: Planned dates further away than this are typos (a year mistyped), not plans.
MAX_PLAN_YEARS = 3


def month_choices(empty: str | None = None) -> list[tuple[Any, Any]]:
    months: list[tuple[Any, Any]] = [(number, name) for number, name in MONTHS.items()]
    return [("", empty), *months] if empty is not None else months


def _optional_month(value: str) -> int | None:
    return int(value) if value else None


class ProfileForm(TablerForm, forms.Form):
    """Who the company is: what the coach and the templates need to know."""

    industry = forms.ChoiceField(
        label=_("Industry"), choices=[("", _("Choose…")), *Industry.choices]
    )
    headcount = forms.ChoiceField(
        label=_("Company size"), choices=[("", _("Choose…")), *Headcount.choices]
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=lambda: [("", _("Choose…")), *country_choices()],
        widget=LongSelect,
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=time_zone_choices, widget=LongSelect
    )
    currency = forms.ChoiceField(
        label=_("Base currency"),
        choices=currency_choices,
        help_text=_("Totals across currencies are shown in this one."),
    )
    fiscal_year_start_month = forms.TypedChoiceField(
        label=_("Fiscal year starts in"),
        choices=month_choices,
        coerce=int,
        help_text=_("The coach keeps go-live and training away from your year-end."),
    )
    language = forms.ChoiceField(label=_("Language of the workspace"), choices=settings.LANGUAGES)


class ReadinessForm(TablerForm, forms.Form):
    """Goals, sponsor, process, the company's situation and the planned dates."""

    goals = forms.MultipleChoiceField(
        label=_("What should Rapport achieve for you?"),
        choices=Goal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sponsor = forms.CharField(
        label=_("Executive sponsor"),
        required=False,
        max_length=150,
        help_text=_("The person with authority who backs the rollout, e.g. the owner."),
    )
    process_written = forms.TypedChoiceField(
        label=_("Is your sales process written down?"),
        choices=[("", _("Not answered")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    rapid_expansion = forms.BooleanField(
        label=_("We are growing fast (new teams or offices every few months)"), required=False
    )
    newly_founded = forms.BooleanField(label=_("The company is newly founded"), required=False)
    turnover_peak_month = forms.TypedChoiceField(
        label=_("Staff turnover usually peaks in"),
        choices=lambda: month_choices(str(_("Not known"))),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Many companies lose people after year-end bonuses or the new year."),
    )
    training_on = forms.DateField(
        label=_("Planned training"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    go_live_on = forms.DateField(
        label=_("Planned go-live"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day everyone switches to Rapport."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goals"].widget.attrs["class"] = "form-check-input"

    def _plan_date(self, name: str) -> datetime.date | None:
        day: datetime.date | None = self.cleaned_data.get(name)
        if day is None:
            return None
        today = timezone.localdate()
        earliest = today - datetime.timedelta(days=366)
        latest = today + datetime.timedelta(days=366 * MAX_PLAN_YEARS)
        if not earliest <= day <= latest:
            raise forms.ValidationError(
                _("Choose a date within the next %(years)d years."),
                params={"years": MAX_PLAN_YEARS},
            )
        return day

    def clean_training_on(self) -> datetime.date | None:
        return self._plan_date("training_on")

    def clean_go_live_on(self) -> datetime.date | None:
        return self._plan_date("go_live_on")


class DepartmentForm(TablerForm, forms.Form):
    """One department's key user and backup."""

    department = forms.CharField(label=_("Department"), max_length=100, required=False)
    email = forms.EmailField(label=_("Key user's email"), required=False)
    backup_email = forms.EmailField(label=_("Backup's email"), required=False)
    turnover_peak_month = forms.TypedChoiceField(
        label=_("Turnover peaks in"),
        choices=lambda: month_choices(str(_("As the company"))),
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["aria-label"] = str(field.label)
            if name in ("email", "backup_email"):
                field.widget.attrs["list"] = "people"
        self.fields["department"].widget.attrs["placeholder"] = str(_("e.g. Sales"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        department = (cleaned.get("department") or "").strip()
        email = (cleaned.get("email") or "").lower()
        backup = (cleaned.get("backup_email") or "").lower()
        if (email or backup) and not department:
            self.add_error("department", _("Name the department."))
        if department and not email:
            self.add_error("email", _("Name the department's key user."))
        if email and backup and email == backup:
            self.add_error("backup_email", _("The backup must be someone else."))
        return cleaned

    def answer(self) -> DepartmentAnswer | None:
        data = self.cleaned_data
        if not data.get("department"):
            return None
        return DepartmentAnswer(
            department=data["department"],
            email=data.get("email") or "",
            backup_email=data.get("backup_email") or "",
            turnover_peak_month=data.get("turnover_peak_month"),
        )


DepartmentFormSet = forms.formset_factory(DepartmentForm, extra=1, max_num=20, validate_max=True)


class PipelineNameForm(TablerForm, forms.Form):
    name = forms.CharField(label=_("Pipeline name"), max_length=100)


class StageRowForm(TablerForm, forms.Form):
    """One stage of the process being written: blank open rows are left out."""

    name = forms.CharField(label=_("Stage"), max_length=100, required=False)
    probability = forms.IntegerField(
        label=_("Probability %"), min_value=0, max_value=100, required=False
    )
    kind = forms.ChoiceField(choices=StageKind.choices, widget=forms.HiddenInput)
    colour = forms.ChoiceField(choices=Colour.choices, widget=forms.HiddenInput, required=False)
    guidance = forms.CharField(
        label=_("What must be true to enter it"), max_length=300, required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") != StageKind.OPEN and not (cleaned.get("name") or "").strip():
            self.add_error("name", _("Won and lost stages need a name."))
        return cleaned

    def spec(self) -> StageSpec | None:
        data = self.cleaned_data
        name = (data.get("name") or "").strip()
        if not name:
            return None
        kind = data["kind"]
        default = 100 if kind == StageKind.WON else 0
        probability = data.get("probability")
        return StageSpec(
            name=name,
            probability=default if probability is None or kind != StageKind.OPEN else probability,
            kind=kind,
            guidance=data.get("guidance") or "",
            colour=data.get("colour") or "blue",
        )


StageFormSet = forms.formset_factory(StageRowForm, extra=0, max_num=30, validate_max=True)


class SkipForm(forms.Form):
    step = forms.ChoiceField(choices=Step.choices)


#: The process step's starting point: the stages the pipeline has now, or a template.
CURRENT_STAGES = "current"


class ProcessTemplateForm(forms.Form):
    """Which stages the process step starts from (a query parameter)."""

    template = forms.ChoiceField(
        required=False,
        choices=[(CURRENT_STAGES, _("Your current stages")), *Industry.choices],
    )


class TeammateForm(TablerForm, InvitationForm):
    """The users settings' invitation form, styled for the wizard."""
