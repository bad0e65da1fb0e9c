"""Activity pages: schedule or log, edit, complete (then offer the next one), delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crm import services
from crm.errors import CrmError
from crm.forms import ActivityForm, CompleteForm
from crm.forms.query import ActivityPrefillForm, valid_values
from crm.models import Activity
from crm.selectors import editable_or_404, visible_or_404
from crm.views.helpers import redirect_after_post, render_page, user_of, write_required

LINKS = ("contact", "company", "deal", "lead")


def _back_url(activity: Activity | None, data: dict[str, Any]) -> str:
    for name in ("deal", "contact", "company", "lead"):
        record = getattr(activity, name, None) if activity else data.get(name)
        if record is not None:
            return str(record.get_absolute_url())
    return reverse("activities")


@require_http_methods(["GET", "POST"])
@write_required
def activity_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Schedule or log an activity. ``?follow_up=<id>`` prefills the next step of a done one."""
    user = user_of(request)
    activity = editable_or_404(Activity.objects.all(), user, pk) if pk is not None else None
    initial: dict[str, Any] = {"owner": user.pk, "kind": "call"}
    prefill = valid_values(ActivityPrefillForm(request.GET))
    follow_up_id = prefill.pop("follow_up", None)
    if activity is None and follow_up_id:
        previous = visible_or_404(Activity.objects.all(), user, follow_up_id)
        initial.update(services.activity_follow_up_initial(previous))
    initial.update(prefill)
    form = ActivityForm(request.POST or None, instance=activity, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if activity is None:
                saved = services.activity_create(
                    by=user, fields=fields, remind=form.cleaned_data.get("remind")
                )
            else:
                saved = services.activity_update(
                    activity=activity,
                    by=user,
                    fields=fields,
                    remind=form.cleaned_data.get("remind"),
                )
        except ValidationError as error:
            form.add_error(None, error.messages)
        except CrmError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(activity)s saved.") % {"activity": saved})
            return redirect_after_post(request, _back_url(saved, {}))
    return render_page(
        request,
        "crm/activity_form.html",
        {"form": form, "activity": activity, "active_nav": "activities"},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@write_required
def activity_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark done, then go to a prefilled form for the next activity (or back, if declined)."""
    user = user_of(request)
    activity = editable_or_404(Activity.objects.all(), user, pk)
    form = CompleteForm(request.POST)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
    try:
        services.activity_complete(activity=activity, by=user, outcome=outcome)
    except CrmError as error:
        messages.error(request, str(error))
        return redirect_after_post(request, _back_url(activity, {}))
    messages.success(request, _("Done. What is the next step?"))
    if request.POST.get("next") == "back":
        return redirect_after_post(request, request.POST.get("back") or _back_url(activity, {}))
    return redirect_after_post(request, f"{reverse('activity_create')}?follow_up={activity.pk}")


@require_POST
@write_required
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    activity = editable_or_404(Activity.objects.all(), user, pk)
    back = _back_url(activity, {})
    services.activity_delete(activity=activity, by=user)
    messages.success(request, _("Activity deleted."))
    return redirect_after_post(request, back)
