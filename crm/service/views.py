"""Pages of customer service for workspace members: cases, reports, settings, articles."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.permissions import admin_required
from crm.errors import CrmError
from crm.forms.query import parse_record_id
from crm.models import ListType
from crm.selectors.lists import seek_page
from crm.service import exports as _exports  # noqa: F401 -- registers the case export columns
from crm.service import selectors, services
from crm.service.forms import (
    ArticleForm,
    CaseFilterForm,
    CaseForm,
    CategoryForm,
    QueueForm,
    ReplyForm,
    ReportForm,
    ServiceSettingsForm,
    SlaPolicyForm,
    StatusForm,
    SuggestForm,
)
from crm.service.markup import render_article
from crm.service.models import Article, Case, Category, Priority, Queue, SlaPolicy
from crm.service.sla import service_settings, targets_for, timer_of
from crm.views.exports import export_response
from crm.views.helpers import bad_query, redirect_after_post, render_page, user_of, write_required
from crm.views.lists import saved_views_context

PER_PAGE = 25


def case_or_404(request: HttpRequest, pk: int) -> Case:
    case = (
        selectors.cases_visible_to(user_of(request))
        .select_related("contact", "company", "deal", "assignee", "queue", "category")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    return case


def _filters_active(request: HttpRequest) -> bool:
    return any(v for k, v in request.GET.items() if k not in ("sort", *CaseFilterForm.PAGING))


def _selection(form: CaseFilterForm, user: Any) -> tuple[Any, str, tuple[str, ...]]:
    params = form.cleaned_data
    queryset = selectors.cases_filtered(selectors.cases_visible_to(user), params=params)
    sort = params.get("sort") or selectors.CASE_DEFAULT_SORT
    if sort.removeprefix("-") not in selectors.CASE_SORTS:
        sort = selectors.CASE_DEFAULT_SORT
    return queryset, sort, selectors.case_ordering(sort)


@require_GET
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """Cases with filters, sort, search and cursor pages; each row shows its SLA timer."""
    user = user_of(request)
    form = CaseFilterForm(request.GET)
    if not form.is_valid():
        return bad_query(request, form)
    queryset, sort, order = _selection(form, user)
    page = seek_page(
        queryset.select_related("contact", "assignee", "queue"),
        order=order,
        after=form.cleaned_data.get("after") or "",
        before=form.cleaned_data.get("before") or "",
        per_page=PER_PAGE,
    )
    now = timezone.now()
    for case in page.items:
        case.timer = timer_of(case, now=now)
    recent = Case.objects.filter(created_at__gte=now - datetime.timedelta(days=90))
    return render_page(
        request,
        "service/case_list.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "active_nav": "cases",
            "filters_active": _filters_active(request),
            "can_write": user.can_write,
            "csat": selectors.csat_average(recent),
            **saved_views_context(request, ListType.CASE, current=form.cleaned_data.get("view")),
        },
        partial="results",
    )


@require_GET
@login_required
def case_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The list's selection as CSV (or ``?format=xlsx``), through the CRM export machinery."""
    form = CaseFilterForm(request.GET)
    if not form.is_valid():
        return bad_query(request, form)
    queryset, _sort, order = _selection(form, user_of(request))
    xlsx = form.cleaned_data.get("format") == "xlsx"
    return export_response(
        queryset, kind="case", order=order, name="cases", xlsx_title=_("Cases") if xlsx else ""
    )


@require_GET
@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A case: its fields, SLA timer, CSAT answer and timeline, with the reply box."""
    case = case_or_404(request, pk)
    user = user_of(request)
    csat_link = ""
    if case.resolved_at and case.csat_answered_at is None:
        from crm.service.signing import csat_token

        csat_link = request.build_absolute_uri(reverse("service_csat", args=[csat_token(case)]))
    return render_page(
        request,
        "service/case_detail.html",
        {
            "case": case,
            "timer": timer_of(case, now=timezone.now()),
            "events": selectors.case_timeline(case),
            "reply_form": ReplyForm(),
            "status_form": StatusForm(initial={"status": case.status}),
            "can_write": user.can_write,
            "csat_link": csat_link,
            "active_nav": "cases",
        },
    )


@require_http_methods(["GET", "POST"])
@write_required
def case_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Open a case (with suggested articles as the subject is typed) or edit one."""
    user = user_of(request)
    case = case_or_404(request, pk) if pk else None
    initial: dict[str, int] = {}
    if case is None:
        for name in ("contact", "company", "deal"):
            if (record_id := parse_record_id(request.GET.get(name, ""))) is not None:
                initial[name] = record_id
    form = CaseForm(request.POST or None, instance=case, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if case is None:
                case = services.case_create(by=user, fields=fields)
                messages.success(request, _("Case #%(number)s opened.") % {"number": case.number})
            else:
                case = services.case_update(case=case, by=user, fields=fields)
                messages.success(request, _("Case saved."))
        except (CrmError, ValidationError) as error:
            form.add_error(
                None, error.messages if isinstance(error, ValidationError) else str(error)
            )
        else:
            return redirect_after_post(request, reverse("service_case_detail", args=[case.pk]))
    return render_page(
        request, "service/case_form.html", {"form": form, "case": case, "active_nav": "cases"}
    )


@require_POST
@write_required
def case_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a reply to the customer (e-mailed) or an internal note."""
    case = case_or_404(request, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the message first."))
        return redirect_after_post(request, reverse("service_case_detail", args=[case.pk]))
    data = form.cleaned_data
    try:
        if data["kind"] == "note":
            services.case_note(case=case, by=user_of(request), body=data["body"])
            messages.success(request, _("Note added."))
        else:
            event = services.case_reply(
                case=case, by=user_of(request), body=data["body"], status=data["status"]
            )
            if event.email_to:
                messages.success(request, _("Reply sent to %(email)s.") % {"email": event.email_to})
            else:
                messages.warning(
                    request, _("Reply logged. The contact has no e-mail address to send it to.")
                )
    except CrmError as error:
        messages.error(request, str(error))
    return redirect_after_post(request, reverse("service_case_detail", args=[case.pk]))


@require_POST
@write_required
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.case_status_set(
                case=case, by=user_of(request), status=form.cleaned_data["status"]
            )
        except CrmError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect_after_post(request, reverse("service_case_detail", args=[case.pk]))


@require_GET
@login_required
def article_suggest(request: HttpRequest) -> HttpResponse:
    """Articles matching the subject being typed (an htmx region of the case form)."""
    form = SuggestForm(request.GET)
    subject = form.cleaned_data["subject"] if form.is_valid() else ""
    return render_page(
        request,
        "service/_suggestions.html",
        {"articles": selectors.articles_suggested(subject) if subject else []},
    )


@require_GET
@login_required
def breach_report(request: HttpRequest) -> HttpResponse:
    """Cases and SLA breaches by week, month, priority or assignee, with CSAT averages."""
    form = ReportForm(request.GET)
    if not form.is_valid():
        return bad_query(request, form)
    group = form.cleaned_data.get("group") or "week"
    days = int(form.cleaned_data.get("days") or 90)
    since = timezone.now() - datetime.timedelta(days=days)
    rows = selectors.breach_report(group=group, since=since)
    recent = Case.objects.filter(created_at__gte=since)
    return render_page(
        request,
        "service/breach_report.html",
        {
            "form": form,
            "rows": rows,
            "group": group,
            "csat": selectors.csat_average(recent),
            "totals": {
                "cases": sum(r.cases for r in rows),
                "breached": sum(r.breached for r in rows),
            },
            "active_nav": "cases",
        },
    )


# --- Settings (admins) -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@admin_required
def service_settings_page(request: HttpRequest) -> HttpResponse:
    """Business hours, warning share, escalation, SLA targets, queues and categories."""
    row = service_settings()
    targets = {priority: targets_for(priority) for priority in Priority.values}
    settings_form = ServiceSettingsForm(
        request.POST if request.POST.get("section") == "hours" else None, instance=row
    )
    sla_form = SlaPolicyForm(
        request.POST if request.POST.get("section") == "sla" else None, targets=targets
    )
    queue_form = QueueForm(request.POST if request.POST.get("section") == "queue" else None)
    category_form = CategoryForm(
        request.POST if request.POST.get("section") == "category" else None
    )
    if request.method == "POST":
        section = request.POST.get("section")
        if section == "hours" and settings_form.is_valid():
            settings_form.save()
            messages.success(request, _("Business hours saved. New cases use them."))
            return redirect_after_post(request, reverse("service_settings"))
        if section == "sla" and sla_form.is_valid():
            for priority in Priority.values:
                first = sla_form.cleaned_data[f"{priority}_first"]
                resolution = sla_form.cleaned_data[f"{priority}_resolution"]
                SlaPolicy.objects.update_or_create(
                    priority=priority,
                    defaults={
                        "first_response_minutes": int(Decimal(first) * 60),
                        "resolution_minutes": int(Decimal(resolution) * 60),
                    },
                )
            messages.success(
                request, _("SLA targets saved. New cases and priority changes use them.")
            )
            return redirect_after_post(request, reverse("service_settings"))
        if section == "queue" and queue_form.is_valid():
            queue_form.save()
            messages.success(request, _("Queue added."))
            return redirect_after_post(request, reverse("service_settings"))
        if section == "category" and category_form.is_valid():
            category_form.save()
            messages.success(request, _("Category added."))
            return redirect_after_post(request, reverse("service_settings"))
    return render_page(
        request,
        "service/settings.html",
        {
            "settings_form": settings_form,
            "sla_form": sla_form,
            "queue_form": queue_form,
            "category_form": category_form,
            "queues": Queue.objects.select_related("manager"),
            "categories": Category.objects.all(),
            "active_nav": "settings",
        },
    )


# --- Knowledge base --------------------------------------------------------------------------


@require_GET
@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    form = SuggestForm({"subject": request.GET.get("q", "")})
    text = form.cleaned_data["subject"] if form.is_valid() else ""
    articles = Article.objects.order_by("title", "id")
    if text:
        articles = articles.filter(title__icontains=text)
    return render_page(
        request,
        "service/article_list.html",
        {
            "articles": articles[:200],
            "q": text,
            "can_write": user_of(request).can_write,
            "active_nav": "articles",
        },
    )


@require_GET
@login_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    return render_page(
        request,
        "service/article_detail.html",
        {
            "article": article,
            "html": render_article(article),
            "can_write": user_of(request).can_write,
            "active_nav": "articles",
        },
    )


@require_http_methods(["GET", "POST"])
@write_required
def article_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk) if pk else None
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            article = services.article_save(by=user_of(request), article=article, fields=fields)
        except (CrmError, ValidationError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Article saved."))
            return redirect_after_post(
                request, reverse("service_article_detail", args=[article.pk])
            )
    return render_page(
        request,
        "service/article_form.html",
        {"form": form, "article": article, "active_nav": "articles"},
    )


@require_POST
@write_required
def article_delete(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    services.article_delete(by=user_of(request), article=article)
    messages.success(request, _("Article deleted."))
    return redirect_after_post(request, reverse("service_articles"))
