"""Pages of a workspace's customers, without sign-in: CSAT survey, help page, case form.

They answer on the workspace's own host only: CSAT links and form keys are signed with the
workspace's schema, and articles are read from its schema, so another workspace's host
answers 404 for them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from crm.errors import CrmError
from crm.service import selectors, services
from crm.service.forms import CsatForm, WebCaseForm
from crm.service.markup import render_article
from crm.service.models import Article, ArticleVisibility, Case
from crm.service.signing import csat_case_id, form_key, form_key_valid
from crm.service.sla import service_settings
from tenants.selectors import request_tenant


def _workspace(request: HttpRequest) -> dict[str, object]:
    return {"workspace": request_tenant(request)}


@require_http_methods(["GET", "POST"])
def csat(request: HttpRequest, token: str) -> HttpResponse:
    """Rate a resolved case 1–5 with a comment; one answer per case."""
    case_id = csat_case_id(token)
    case = Case.objects.filter(pk=case_id, resolved_at__isnull=False).first() if case_id else None
    if case is None:
        raise Http404
    context = {**_workspace(request), "case": case}
    if case.csat_answered_at is not None:
        return render(request, "service/public/csat_done.html", {**context, "already": True})
    form = CsatForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        recorded = services.csat_answer(
            case_id=case.pk, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
        )
        return render(
            request, "service/public/csat_done.html", {**context, "already": not recorded}
        )
    return render(request, "service/public/csat.html", {**context, "form": form})


@require_GET
def help_center(request: HttpRequest) -> HttpResponse:
    """The workspace's public articles."""
    if not service_settings().help_center_enabled:
        raise Http404
    return render(
        request,
        "service/public/help.html",
        {**_workspace(request), "articles": selectors.public_articles()[:500]},
    )


@require_GET
def help_article(request: HttpRequest, pk: int) -> HttpResponse:
    if not service_settings().help_center_enabled:
        raise Http404
    article = get_object_or_404(Article, pk=pk, visibility=ArticleVisibility.PUBLIC)
    return render(
        request,
        "service/public/help_article.html",
        {**_workspace(request), "article": article, "html": render_article(article)},
    )


def _rate(group: str, request: HttpRequest) -> str:
    return str(settings.SERVICE_FORM_RATE_LIMIT)


#: Largest request body the public form reads (its fields are bounded far below this).
MAX_FORM_BYTES = 16 * 1024


@csrf_exempt  # a public, embeddable form: the signed form key stands in for the CSRF token
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_rate, method="POST", block=True)
def web_case_form(request: HttpRequest) -> HttpResponse:
    """Customers open a case: signed key, honeypot, per-IP limit and size limits."""
    if not service_settings().web_form_enabled:
        raise Http404
    context = _workspace(request)
    billing = getattr(request, "billing", None)
    if billing is not None and billing.read_only:
        # The workspace takes no new records (billing); say so rather than offer a form.
        return render(request, "service/public/web_form.html", {**context, "closed": True})
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_FORM_BYTES:
            return render(
                request, "service/public/web_form.html", {**context, "too_big": True}, status=413
            )
        form = WebCaseForm(request.POST)
        key_ok = form_key_valid(str(request.POST.get("form_key", ""))[:200])
        if not form.is_valid() or not key_ok:
            # Shown again with a fresh key, so a person can send it once corrected.
            form = WebCaseForm({**request.POST.dict(), "form_key": form_key()})
            form.is_valid()
            if not key_ok:
                form.add_error(None, _expired())
            return render(
                request, "service/public/web_form.html", {**context, "form": form}, status=400
            )
        data = form.cleaned_data
        if data["website"]:  # the honeypot: answer as if accepted, record nothing
            return render(request, "service/public/web_form_done.html", context)
        try:
            services.web_case_submit(
                name=data["name"],
                email=data["email"],
                subject=data["subject"],
                description=data["description"],
            )
        except (CrmError, ValidationError):
            form.add_error(None, _unavailable())
            return render(
                request, "service/public/web_form.html", {**context, "form": form}, status=400
            )
        return render(request, "service/public/web_form_done.html", context)
    form = WebCaseForm(initial={"form_key": form_key()})
    return render(request, "service/public/web_form.html", {**context, "form": form})


def _expired() -> str:
    from django.utils.translation import gettext as _

    return _("This form has expired. Please send it again.")


def _unavailable() -> str:
    from django.utils.translation import gettext as _

    return _("Your request could not be recorded. Please try again later.")
