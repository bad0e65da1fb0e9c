"""Forms of the provider-operations console."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant, TenantStatus


def plan_filter_choices() -> list[tuple[str, str]]:
    """The plans workspaces are on (tenants keeps only the slug; billing owns the plans)."""
    slugs = (
        Tenant.objects.exclude(plan_slug="")
        .order_by("plan_slug")
        .values_list("plan_slug", flat=True)
        .distinct()
    )
    return [("", str(_("Any plan"))), *((slug, slug.replace("-", " ").title()) for slug in slugs)]


class TenantFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *TenantStatus.choices]
    )
    plan = forms.ChoiceField(label=_("Plan"), required=False, choices=plan_filter_choices)
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ConfirmClosureForm(forms.Form):
    typed_slug = forms.CharField(label=_("Type the workspace address to confirm"))
