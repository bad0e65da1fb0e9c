"""Admin settings pages: workflow rules (list, form, page with run log and dry run) and the
customer-care touches."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.permissions import admin_required
from crm.automation import services
from crm.automation.care import care_touches_for_settings
from crm.automation.forms import CareTouchForm, rule_definition, rule_forms
from crm.automation.models import Operator, Rule
from crm.automation.rules import action_describe, field_label
from crm.automation.selectors import rule_dry_run, rule_runs, rules_list
from crm.errors import CrmError
from crm.models import Tag
from crm.views.helpers import redirect_after_post, render_page, user_of

#: Session key of a webhook secret to show once on the rule's page.
_SECRET_KEY = "automation_secret_{pk}"  # noqa: S105 -- a session key name, not a secret


def _secret_show_once(request: HttpRequest, rule: Rule, secret: str) -> None:
    request.session[_SECRET_KEY.format(pk=rule.pk)] = secret


@require_GET
@admin_required
def rule_list(request: HttpRequest) -> HttpResponse:
    return render_page(
        request, "automation/rules.html", {"rules": rules_list(), "active_nav": "settings"}
    )


def _form_page(
    request: HttpRequest, forms: tuple, rule: Rule | None, status: int = 200
) -> HttpResponse:
    form, conditions, actions = forms
    return render_page(
        request,
        "automation/rule_form.html",
        {
            "form": form,
            "conditions": conditions,
            "actions": actions,
            "rule": rule,
            "tags": Tag.objects.order_by("name").values_list("name", flat=True),
            "active_nav": "settings",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@admin_required
def rule_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _form_page(request, rule_forms(), None)
    forms = rule_forms(request.POST)
    definition = rule_definition(*forms)
    if definition is not None:
        try:
            rule = services.rule_create(by=user_of(request), fields=definition)
        except (CrmError, ValidationError) as error:
            forms[0].add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            if rule.webhook_secret:
                _secret_show_once(request, rule, rule.webhook_secret)
            messages.success(request, _("Rule saved."))
            return redirect_after_post(request, rule.get_absolute_url())
    return _form_page(request, forms, None, status=400)


@require_http_methods(["GET", "POST"])
@admin_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    if request.method == "GET":
        return _form_page(request, rule_forms(rule=rule), rule)
    forms = rule_forms(request.POST, rule=rule)
    definition = rule_definition(*forms)
    if definition is not None:
        try:
            rule, new_secret = services.rule_update(
                rule=rule, by=user_of(request), fields=definition
            )
        except (CrmError, ValidationError) as error:
            forms[0].add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            if new_secret:
                _secret_show_once(request, rule, rule.webhook_secret)
            messages.success(request, _("Rule saved."))
            return redirect_after_post(request, rule.get_absolute_url())
    return _form_page(request, forms, rule, status=400)


@require_GET
@admin_required
def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule.objects.select_related("trigger_stage"), pk=pk)
    page = Paginator(rule_runs(rule), 50).get_page(request.GET.get("page"))
    return render_page(
        request,
        "automation/rule_detail.html",
        {
            "rule": rule,
            "runs": page,
            "secret": request.session.pop(_SECRET_KEY.format(pk=rule.pk), ""),
            "trigger_field_label": field_label(rule.object_type, rule.trigger_field)
            if rule.trigger_field
            else "",
            "conditions": [
                (field_label(rule.object_type, c["field"]), Operator(c["operator"]).label, c)
                for c in rule.conditions
            ],
            "actions": [action_describe(rule, i, a) for i, a in enumerate(rule.actions)],
            "active_nav": "settings",
        },
        partial="run-log",
    )


@require_GET
@admin_required
def rule_dry_run_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Which existing records the rule matches and what it would do; nothing is written."""
    rule = get_object_or_404(Rule, pk=pk)
    return render_page(
        request,
        "automation/rule_dry_run.html",
        {"rule": rule, "dry": rule_dry_run(rule), "active_nav": "settings"},
        partial="dry-run",
    )


@require_POST
@admin_required
def rule_secret_renew(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    secret = services.rule_secret_renew(rule=rule, by=user_of(request))
    _secret_show_once(request, rule, secret)
    messages.success(request, _("A new webhook secret was made; the old one no longer works."))
    return redirect_after_post(request, rule.get_absolute_url())


@require_POST
@admin_required
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    services.rule_delete(rule=rule, by=user_of(request))
    messages.success(request, _("Rule deleted."))
    return redirect_after_post(request, reverse("automation:rules"))


@require_http_methods(["GET", "POST"])
@admin_required
def care_settings(request: HttpRequest) -> HttpResponse:
    """The customer-care touches: one card per kind, each saved on its own."""
    touches = care_touches_for_settings()
    status = 200
    forms = []
    for touch in touches:
        if request.method == "POST" and request.POST.get("kind") == touch.kind:
            form = CareTouchForm(request.POST, instance=touch, prefix=touch.kind)
            if form.is_valid():
                services.care_touch_save(form=form, by=user_of(request))
                messages.success(request, _("Saved."))
                return redirect_after_post(request, reverse("automation:care"))
            status = 400
        else:
            form = CareTouchForm(instance=touch, prefix=touch.kind)
        forms.append(form)
    return render_page(
        request,
        "automation/care.html",
        {"forms": forms, "active_nav": "settings"},
        status=status,
    )
