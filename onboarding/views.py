"""The guided start, the implementation coach and adoption, on a workspace's host.

Thin views: a form reads the input, one service or selector does the work. Admin pages are
``admin_required``; a person's own first steps are open to everyone who may write.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from core.permissions import admin_required
from crm.models import Pipeline, StageKind
from crm.views.helpers import bad_query, redirect_after_post, render_page, write_required
from onboarding import selectors, services
from onboarding.coach.plan import plan_dates, plan_phases
from onboarding.coach.rules import readiness_score, recommendations
from onboarding.imports.models import ImportBatch
from onboarding.industries import pipeline_template
from onboarding.models import Industry, KeyUser, Step
from onboarding.wizard_forms import (
    CURRENT_STAGES,
    DepartmentFormSet,
    PipelineNameForm,
    ProcessTemplateForm,
    ProfileForm,
    ReadinessForm,
    SkipForm,
    StageFormSet,
    TeammateForm,
)
from tenants.selectors import request_tenant, workspace_url
from tenants.users.models import User
from tenants.users.selectors import pending_invitations, workspace_users


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _language() -> str:
    return translation.get_language() or "en"


def _wizard(request: HttpRequest, step: Step, context: dict[str, Any]) -> dict[str, Any]:
    """The context every wizard page shares: the steps and their status."""
    start = selectors.guided_start_or_new()
    states = selectors.step_states(start, user=_user(request))
    current = next(state for state in states if state.step == step)
    return {
        "active_nav": "settings",
        "start": start,
        "states": states,
        "current": current,
        "done_count": sum(state.is_done for state in states),
        "skip_form": SkipForm(initial={"step": step.value}),
        **context,
    }


def _next_url(step: Step) -> str:
    states = list(Step)
    index = states.index(step)
    if index + 1 < len(states):
        return reverse(selectors.STEP_URLS[states[index + 1]])
    return reverse("coach")


@require_GET
@admin_required
def guided_start(request: HttpRequest) -> HttpResponse:
    """Continue where the admin left off (the coach once every step is done or skipped)."""
    start = selectors.guided_start_or_new()
    step = selectors.resume_step(start, selectors.step_states(start, user=_user(request)))
    if step is None:
        return redirect("coach")
    return redirect(selectors.STEP_URLS[step])


@require_http_methods(["GET", "POST"])
@admin_required
def guided_profile(request: HttpRequest) -> HttpResponse:
    """Step 1: industry, size, country, time zone, base currency, fiscal year, language."""
    tenant = request_tenant(request)
    start = selectors.guided_start_or_new()
    initial = {
        "industry": start.industry,
        "headcount": start.headcount,
        "fiscal_year_start_month": start.fiscal_year_start_month,
        "country": tenant.country,
        "time_zone": tenant.time_zone,
        "currency": tenant.currency,
        "language": tenant.language,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_save(by=_user(request), tenant=tenant, **data)
        except (DomainError, ValidationError) as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Company profile saved."))
            return redirect_after_post(request, _next_url(Step.PROFILE))
    return render_page(
        request,
        "onboarding/profile.html",
        _wizard(
            request,
            Step.PROFILE,
            {"form": form},
        ),
        status=400 if request.method == "POST" else 200,
    )


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _yes_no(answer: bool | None) -> str:
    return "" if answer is None else ("yes" if answer else "no")


def _department_initial() -> list[dict[str, Any]]:
    return [
        {
            "department": row.department,
            "email": row.email,
            "backup_email": row.backup_email,
            "turnover_peak_month": row.turnover_peak_month,
        }
        for row in KeyUser.objects.all()
    ]


@require_http_methods(["GET", "POST"])
@admin_required
def guided_readiness(request: HttpRequest) -> HttpResponse:
    """Step 2: goals, sponsor, key users per department, process, situation and dates."""
    start = selectors.guided_start_or_new()
    initial = {
        "goals": start.goals,
        "sponsor": start.sponsor,
        "process_written": _yes_no(start.process_written),
        "rapid_expansion": start.rapid_expansion,
        "newly_founded": start.newly_founded,
        "turnover_peak_month": start.turnover_peak_month,
        "training_on": start.training_on,
        "go_live_on": start.go_live_on,
    }
    form = ReadinessForm(request.POST or None, initial=initial)
    departments = DepartmentFormSet(
        request.POST or None, initial=_department_initial(), prefix="departments"
    )
    if request.method == "POST" and form.is_valid() and departments.is_valid():
        answers = [f.answer() for f in departments.forms]
        try:
            services.readiness_save(
                by=_user(request),
                answers=form.cleaned_data,
                departments=[answer for answer in answers if answer is not None],
            )
        except (DomainError, ValidationError) as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Answers saved. Here is what the coach makes of them."))
            return redirect_after_post(request, reverse("coach"))
    return render_page(
        request,
        "onboarding/readiness.html",
        _wizard(
            request,
            Step.READINESS,
            {
                "form": form,
                "departments": departments,
                "people": [user.email for user in workspace_users().filter(is_active=True)]
                + [invitation.email for invitation in pending_invitations()],
            },
        ),
        status=400 if request.method == "POST" else 200,
    )


def _current_stage_rows(pipeline: Pipeline | None) -> list[dict[str, Any]]:
    if pipeline is None:
        return []
    return [
        {
            "name": stage.name,
            "probability": stage.probability,
            "kind": stage.kind,
            "colour": stage.colour,
            "guidance": stage.guidance,
        }
        for stage in pipeline.stages.order_by("position", "id")
    ]


def _template_rows(industry: str) -> tuple[str, list[dict[str, Any]]]:
    template = pipeline_template(industry)
    rows = [
        {
            "name": str(stage.name),
            "probability": stage.probability,
            "kind": stage.kind,
            "colour": stage.colour,
            "guidance": str(stage.guidance),
        }
        for stage in template.stages
    ]
    return str(template.name), rows


def _with_blank_open_row(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One empty open stage before won and lost, to add a stage without JavaScript."""
    closing = next((i for i, row in enumerate(rows) if row["kind"] != StageKind.OPEN), len(rows))
    blank = {"name": "", "probability": None, "kind": StageKind.OPEN, "colour": "blue"}
    return [*rows[:closing], blank, *rows[closing:]]


@require_http_methods(["GET", "POST"])
@admin_required
def guided_process(request: HttpRequest) -> HttpResponse:
    """Step 3: the pipeline from an industry template (or as it is), stages and probabilities
    editable, each with what must be true to enter it."""
    start = selectors.guided_start_or_new()
    pipeline = Pipeline.objects.order_by("position", "id").first()
    chooser = ProcessTemplateForm(request.GET or None)
    if request.GET and not chooser.is_valid():
        return bad_query(request, chooser)
    choice = (chooser.cleaned_data.get("template") if chooser.is_bound else "") or (
        start.industry if start.industry and not selectors.pipeline_configured() else CURRENT_STAGES
    )
    if choice == CURRENT_STAGES:
        name, rows = (pipeline.name if pipeline else ""), _current_stage_rows(pipeline)
    else:
        name, rows = _template_rows(choice)
    name_form = PipelineNameForm(request.POST or None, initial={"name": name})
    stages = StageFormSet(request.POST or None, initial=_with_blank_open_row(rows), prefix="stages")
    if request.method == "POST" and name_form.is_valid() and stages.is_valid():
        specs = [spec for form in stages.forms if (spec := form.spec()) is not None]
        try:
            result = services.process_apply(
                by=_user(request), name=name_form.cleaned_data["name"], stages=specs
            )
        except (DomainError, ValidationError) as error:
            name_form.add_error(None, _error_text(error))
        else:
            if result.kept:
                messages.warning(
                    request,
                    _(
                        "Kept %(stages)s: deals are still in them. Move the deals, then delete the "
                        "stages in Settings → Pipelines."
                    )
                    % {"stages": ", ".join(stage.name for stage in result.kept)},
                )
            messages.success(
                request, _("Sales process saved. The board shows each stage's criteria.")
            )
            return redirect_after_post(request, _next_url(Step.PROCESS))
    return render_page(
        request,
        "onboarding/process.html",
        _wizard(
            request,
            Step.PROCESS,
            {
                "name_form": name_form,
                "stages": stages,
                "chooser": chooser,
                "choice": choice,
                "templates": [(CURRENT_STAGES, _("Your current stages")), *Industry.choices],
            },
        ),
        partial="process-form",
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@admin_required
def guided_data(request: HttpRequest) -> HttpResponse:
    """Step 4: bring your data (the importer), explore with sample data, or add records."""
    samples = selectors.sample_ids()
    return render_page(
        request,
        "onboarding/data.html",
        _wizard(
            request,
            Step.DATA,
            {
                "sample_loaded": bool(samples.get("deal") or samples.get("company")),
                "sample_count": sum(len(ids) for key, ids in samples.items() if key != "tag"),
                "real_records": selectors.real_records_exist(samples),
                "recent_imports": list(ImportBatch.objects.all()[:3]),
            },
        ),
    )


@require_POST
@admin_required
def guided_sample_add(request: HttpRequest) -> HttpResponse:
    try:
        count = services.sample_data_add(
            by=_user(request), language=request_tenant(request).language
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(count)d sample records added, each tagged so you can spot them.")
            % {"count": count},
        )
    return redirect_after_post(request, reverse("guided_data"))


@require_POST
@admin_required
def guided_sample_remove(request: HttpRequest) -> HttpResponse:
    try:
        result = services.sample_data_remove(by=_user(request))
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(count)d sample records removed.") % {"count": result.removed}
        )
        if result.kept:
            messages.warning(
                request,
                _(
                    "%(count)d sample records were kept because your own records refer to them; "
                    "they still carry the sample tag."
                )
                % {"count": result.kept},
            )
    return redirect_after_post(request, reverse("guided_data"))


@require_http_methods(["GET", "POST"])
@admin_required
def guided_team(request: HttpRequest) -> HttpResponse:
    """Step 5: invite teammates with roles; the key users named in step 2 are listed."""
    form = TeammateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept_path = reverse("invitation_accept", kwargs={"token": "TOKEN"})
        template = workspace_url(request_tenant(request), accept_path).replace("TOKEN", "{token}")
        try:
            services.teammate_invite(
                by=_user(request),
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                accept_url_template=template,
            )
        except DomainError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect_after_post(request, reverse("guided_team"))
    users = list(workspace_users().filter(is_active=True))
    invited = {invitation.email.lower(): invitation for invitation in pending_invitations()}
    accounts = {user.email.lower(): user for user in users}
    key_users = [
        {
            "row": row,
            "people": [
                (email, accounts.get(email.lower()), invited.get(email.lower()))
                for email in (row.email, row.backup_email)
                if email
            ],
        }
        for row in KeyUser.objects.all()
    ]
    return render_page(
        request,
        "onboarding/team.html",
        _wizard(
            request,
            Step.TEAM,
            {
                "form": form,
                "users": users,
                "invitations": list(invited.values()),
                "key_users": key_users,
            },
        ),
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@login_required
def first_steps(request: HttpRequest) -> HttpResponse:
    """Step 6 for admins, and every person's own checklist: a deal, a call, a follow-up, a
    search, each ticked by doing it."""
    user = _user(request)
    context: dict[str, Any] = {"steps": selectors.first_steps(user)}
    if user.is_workspace_admin:
        context = _wizard(request, Step.FIRST_STEPS, context)
        return render_page(request, "onboarding/first_steps.html", context)
    return render_page(request, "onboarding/my_first_steps.html", context)


@require_POST
@admin_required
def guided_skip(request: HttpRequest) -> HttpResponse:
    form = SkipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a step to skip."))
        return redirect_after_post(request, reverse("guided_start"))
    step = Step(form.cleaned_data["step"])
    services.step_skip(by=_user(request), step=step)
    return redirect_after_post(request, _next_url(step))


@require_POST
@admin_required
def guided_dismiss(request: HttpRequest) -> HttpResponse:
    services.guided_start_dismiss(by=_user(request))
    messages.success(request, _("Setup card hidden. The guided start stays in the Settings menu."))
    return redirect_after_post(request, reverse("dashboard"))


@require_POST
@admin_required
def guided_reopen(request: HttpRequest) -> HttpResponse:
    services.guided_start_reopen(by=_user(request))
    return redirect_after_post(request, reverse("dashboard"))


@require_POST
@write_required
def first_steps_dismiss(request: HttpRequest) -> HttpResponse:
    """Put one's first-steps card away (people who may write; read-only users get none)."""
    services.first_steps_dismiss(user=_user(request))
    return redirect_after_post(request, reverse("dashboard"))


# --- The coach ---------------------------------------------------------------------------------


def _coach_context(request: HttpRequest) -> dict[str, Any]:
    tenant = request_tenant(request)
    start = selectors.guided_start_or_new()
    answers = selectors.coach_input(start, tenant=tenant, language=_language())
    advice = recommendations(answers)
    dates = plan_dates(
        started_on=start.plan_started_on or timezone.localdate(),
        training_on=start.training_on,
        go_live_on=start.go_live_on,
    )
    names = {user.email.lower(): user.full_name for user in User.objects.all()}
    key_people = ", ".join(
        selectors.person_label(row.email, names) for row in KeyUser.objects.all() if row.email
    )
    admins = ", ".join(
        str(user)
        for user in User.objects.filter(role="admin", is_active=True).order_by("full_name")
    )
    phases = plan_phases(
        dates=dates,
        facts=selectors.phase_facts(start),
        today=timezone.localdate(),
        sponsor=start.sponsor,
        admin=admins,
        key_users=key_people,
    )
    baseline = selectors.baseline()
    now_figures = None
    if baseline is not None:
        today = timezone.localdate()
        now_figures = selectors.sales_figures(
            first_day=today - datetime.timedelta(days=baseline.period_days),
            last_day=today,
            currency=baseline.currency,
        )
    return {
        "active_nav": "settings",
        "start": start,
        "answers": answers,
        "advice": advice,
        "score": readiness_score(advice),
        "dates": dates,
        "phases": phases,
        "departments": answers.departments,
        "baseline": baseline,
        "now_figures": now_figures,
        "go_live_passed": start.go_live_on is not None and timezone.localdate() >= start.go_live_on,
        "tenant": tenant,
    }


@require_GET
@admin_required
def coach(request: HttpRequest) -> HttpResponse:
    """The readiness score, each recommendation with its reason, and the plan's phases."""
    return render_page(request, "onboarding/coach.html", _coach_context(request))


@require_GET
@admin_required
def coach_plan(request: HttpRequest) -> HttpResponse:
    """The one-page implementation plan, made to be printed."""
    return render_page(request, "onboarding/plan.html", _coach_context(request))


@require_POST
@admin_required
def coach_baseline(request: HttpRequest) -> HttpResponse:
    """Record the go-live baseline now (the daily job does it on go-live day otherwise)."""
    baseline = services.baseline_record(currency=request_tenant(request).currency)
    if baseline is None:
        messages.error(request, _("The baseline is recorded on or after the go-live date."))
    else:
        messages.success(request, _("Baseline recorded."))
    return redirect_after_post(request, reverse("coach"))


@require_GET
@admin_required
def adoption(request: HttpRequest) -> HttpResponse:
    """Who uses Rapport: last sign-in, records created and updated, activities this week,
    first steps; key users flagged."""
    return render_page(
        request,
        "onboarding/adoption.html",
        {
            "active_nav": "settings",
            "rows": selectors.adoption_rows(),
            "days": selectors.ADOPTION_DAYS,
            "start": selectors.guided_start(),
        },
    )
