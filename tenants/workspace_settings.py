"""The workspace's own settings: its name, default language, time zone, country and base
currency (admins only). Each person may still choose their own language and time zone."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.locales import country_choices, currency_choices, time_zone_choices
from core.permissions import admin_required
from core.widgets import LongSelect
from tenants.errors import WorkspaceError
from tenants.models import Tenant
from tenants.selectors import request_tenant
from tenants.services import tenant_locale_update

LOCALE_FIELDS = ("name", "language", "time_zone", "country", "currency")


class WorkspaceSettingsForm(forms.ModelForm):
    language = forms.ChoiceField(label=gettext_lazy("Default language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"), choices=time_zone_choices, widget=LongSelect
    )
    country = forms.ChoiceField(
        label=gettext_lazy("Country"), choices=country_choices, widget=LongSelect
    )
    currency = forms.ChoiceField(
        label=gettext_lazy("Base currency"),
        choices=currency_choices,
        help_text=gettext_lazy(
            "Totals that mix currencies are converted to this one. Deals keep their own."
        ),
    )

    class Meta:
        model = Tenant
        fields = LOCALE_FIELDS


@require_http_methods(["GET", "POST"])
@admin_required
def workspace_settings(request: HttpRequest) -> HttpResponse:
    tenant = request_tenant(request)
    form = WorkspaceSettingsForm(request.POST or None, instance=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            tenant_locale_update(
                tenant=Tenant.objects.get(pk=tenant.pk),
                by_email=str(getattr(request.user, "email", "")),
                **{field: form.cleaned_data[field] for field in LOCALE_FIELDS},
            )
        except WorkspaceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Workspace settings saved."))
            return redirect("workspace_settings")
    return render(
        request,
        "tenants/workspace_settings.html",
        {"form": form, "active_nav": "settings"},
        status=400 if request.method == "POST" else 200,
    )
