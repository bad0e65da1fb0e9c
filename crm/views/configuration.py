"""Admin pages: pipelines and stages, custom fields, the visibility policy, reassign, audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.features import feature_required
from core.permissions import admin_required
from crm import services
from crm.errors import CrmError
from crm.forms import (
    CrmSettingsForm,
    CustomFieldForm,
    ExchangeRateForm,
    PipelineForm,
    ReassignForm,
    StageForm,
)
from crm.forms.query import AuditFilterForm
from crm.models import (
    AuditEntry,
    CustomFieldDefinition,
    ExchangeRate,
    ObjectType,
    Pipeline,
    Stage,
)
from crm.selectors import describe_changes, paginate
from crm.selectors.money import rates_in_force, workspace_currency
from crm.views.helpers import bad_query, redirect_after_post, render_page, user_of


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


@require_GET
@admin_required
def pipeline_settings(request: HttpRequest) -> HttpResponse:
    pipelines = Pipeline.objects.prefetch_related("stages").order_by("position", "id")
    return render_page(
        request,
        "crm/settings_pipelines.html",
        {
            "pipelines": [
                (p, [(s, StageForm(instance=s, prefix=f"s{s.pk}")) for s in p.stages.all()])
                for p in pipelines
            ],
            "pipeline_form": PipelineForm(),
            "stage_form": StageForm(prefix="new"),
            "active_nav": "settings",
        },
        partial="pipelines",
    )


def _back_to_pipelines(request: HttpRequest) -> HttpResponse:
    return redirect_after_post(request, reverse("pipeline_settings"))


@require_POST
@admin_required
@feature_required("multiple_pipelines")
def pipeline_create(request: HttpRequest) -> HttpResponse:
    form = PipelineForm(request.POST)
    if form.is_valid():
        services.pipeline_create(name=form.cleaned_data["name"], by=user_of(request))
        messages.success(request, _("Pipeline created."))
    return _back_to_pipelines(request)


@require_POST
@admin_required
def pipeline_update(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    user = user_of(request)
    try:
        if request.POST.get("delete"):
            services.pipeline_delete(pipeline=pipeline, by=user)
            messages.success(request, _("Pipeline deleted."))
        elif request.POST.get("order"):
            ids = [int(i) for i in request.POST["order"].split(",") if i.strip().isdigit()]
            services.stages_reorder(pipeline=pipeline, stage_ids=ids, by=user)
            messages.success(request, _("Stages reordered."))
        else:
            form = PipelineForm(request.POST)
            if form.is_valid():
                services.pipeline_rename(pipeline=pipeline, name=form.cleaned_data["name"], by=user)
                messages.success(request, _("Pipeline renamed."))
    except (CrmError, ValidationError) as error:
        messages.error(request, _error_text(error))
    return _back_to_pipelines(request)


@require_POST
@admin_required
def stage_create(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    form = StageForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            services.stage_create(pipeline=pipeline, by=user_of(request), fields=form.cleaned_data)
        except (CrmError, ValidationError) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Stage added."))
    else:
        messages.error(request, _("Check the stage's fields."))
    return _back_to_pipelines(request)


@require_POST
@admin_required
def stage_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Save a stage's settings, move it up or down, or delete it (only when empty)."""
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=pk)
    user = user_of(request)
    try:
        if request.POST.get("delete"):
            services.stage_delete(stage=stage, by=user)
            messages.success(request, _("Stage deleted."))
        elif request.POST.get("move") in ("up", "down"):
            ids = list(
                stage.pipeline.stages.order_by("position", "id").values_list("pk", flat=True)
            )
            index = ids.index(stage.pk)
            other = index - 1 if request.POST["move"] == "up" else index + 1
            if 0 <= other < len(ids):
                ids[index], ids[other] = ids[other], ids[index]
                services.stages_reorder(pipeline=stage.pipeline, stage_ids=ids, by=user)
        else:
            form = StageForm(request.POST, instance=Stage.objects.get(pk=pk), prefix=f"s{pk}")
            if form.is_valid():
                services.stage_update(stage=stage, by=user, fields=form.cleaned_data)
                messages.success(request, _("Stage saved."))
            else:
                messages.error(request, _("Check the stage's fields."))
    except (CrmError, ValidationError) as error:
        messages.error(request, _error_text(error))
    return _back_to_pipelines(request)


@require_http_methods(["GET", "POST"])
@admin_required
@feature_required("custom_fields")
def custom_field_settings(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Define, edit and delete custom fields per record type."""
    user = user_of(request)
    definition = get_object_or_404(CustomFieldDefinition, pk=pk) if pk else None
    form = CustomFieldForm(request.POST or None, instance=definition)
    if request.method == "POST":
        if definition is not None and request.POST.get("delete"):
            services.custom_field_delete(definition=definition, by=user)
            messages.success(request, _("Field deleted."))
            return redirect_after_post(request, reverse("custom_field_settings"))
        if form.is_valid():
            try:
                if definition is None:
                    services.custom_field_create(
                        by=user,
                        object_type=form.cleaned_data["object_type"],
                        fields=form.definition_fields(),
                    )
                else:
                    services.custom_field_update(
                        definition=definition, by=user, fields=form.definition_fields()
                    )
            except (CrmError, ValidationError) as error:
                form.add_error(None, _error_text(error))
            else:
                messages.success(request, _("Field saved."))
                return redirect_after_post(request, reverse("custom_field_settings"))
    return render_page(
        request,
        "crm/settings_fields.html",
        {
            "form": form,
            "definition": definition,
            "definitions": CustomFieldDefinition.objects.order_by("object_type", "position", "id"),
            "active_nav": "settings",
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@admin_required
def crm_settings(request: HttpRequest) -> HttpResponse:
    """The visibility policy and the reassignment of a user's records."""
    user = user_of(request)
    settings_form = CrmSettingsForm(
        request.POST if request.POST.get("form") == "settings" else None,
        instance=services.crm_settings(),
    )
    reassign_form = ReassignForm(request.POST if request.POST.get("form") == "reassign" else None)
    if request.method == "POST":
        try:
            if settings_form.is_bound and settings_form.is_valid():
                services.crm_settings_update(by=user, fields=settings_form.cleaned_data)
                messages.success(request, _("Settings saved."))
                return redirect_after_post(request, reverse("crm_settings"))
            if reassign_form.is_bound and reassign_form.is_valid():
                result = services.records_reassign(
                    from_user=reassign_form.cleaned_data["from_user"],
                    to_user=reassign_form.cleaned_data["to_user"],
                    by=user,
                )
                messages.success(
                    request,
                    _("%(count)d records and activities reassigned.") % {"count": result.total},
                )
                return redirect_after_post(request, reverse("crm_settings"))
        except CrmError as error:
            messages.error(request, str(error))
    return render_page(
        request,
        "crm/settings_crm.html",
        {"settings_form": settings_form, "reassign_form": reassign_form, "active_nav": "settings"},
    )


@require_GET
@admin_required
@feature_required("audit_log")
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every create, update, delete, move, merge and conversion, newest first."""
    filters = AuditFilterForm(request.GET)
    if not filters.is_valid():
        return bad_query(request, filters)
    object_type, actor = filters.cleaned_data["type"], filters.cleaned_data["actor"]
    entries = AuditEntry.objects.select_related("actor").order_by("-created_at", "-id")
    if object_type:
        entries = entries.filter(object_type=object_type)
    if actor:
        entries = entries.filter(actor_id=actor)
    page = paginate(entries, page=filters.cleaned_data["page"] or 1, per_page=50)
    described: list[Any] = describe_changes(page.items)
    return render_page(
        request,
        "crm/audit_log.html",
        {
            "page": page,
            "entries": described,
            "object_types": ObjectType.choices,
            "object_type": object_type,
            "active_nav": "settings",
        },
        partial="entries",
    )


@require_http_methods(["GET", "POST"])
@admin_required
def exchange_rates(request: HttpRequest) -> HttpResponse:
    """The workspace's rates to its base currency, used for every total that mixes
    currencies; a new rate applies from its day on."""
    form = ExchangeRateForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_rate_set(by=user_of(request), **form.cleaned_data)
        except (CrmError, ValidationError) as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Exchange rate saved."))
            return redirect_after_post(request, reverse("exchange_rates"))
    base = workspace_currency()
    return render_page(
        request,
        "crm/settings_rates.html",
        {
            "form": form,
            "base": base,
            "in_force": rates_in_force(base=base),
            "history": ExchangeRate.objects.filter(base_currency=base)[:200],
            "active_nav": "settings",
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@admin_required
def exchange_rate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    exchange_rate = get_object_or_404(ExchangeRate, pk=pk)
    services.exchange_rate_delete(by=user_of(request), exchange_rate=exchange_rate)
    messages.success(request, _("Exchange rate deleted."))
    return redirect_after_post(request, reverse("exchange_rates"))
