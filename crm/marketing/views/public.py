"""The public web form endpoints of a workspace host: no sign-in, no CSRF cookie.

What protects them instead: a key signed for this workspace (another workspace's key, or a
guessed one, is a 404), a honeypot field (a filled one is thanked and dropped), a per-IP
rate limit (429), a bound on the body (413) and on each field (400 with the errors).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from core.phones import phone_normalise
from crm.marketing.models import WebForm, WebFormSubmission
from crm.marketing.services.webforms import submission_confirm, web_form_submit
from crm.marketing.webforms import (
    UTM_FIELDS,
    PublicWebForm,
    field_catalogue,
    form_id_from_key,
    utm_from_url,
)
from tenants.connection import current_schema_name

_CONFIRM_SALT = "rapport.marketing.confirm"


def _setting_rate(group: str, request: HttpRequest) -> str:
    return str(settings.WEBFORM_RATE_LIMIT)


webform_rate_limit = ratelimit(key="ip", rate=_setting_rate, method="POST", block=True)


def confirmation_token(submission: WebFormSubmission) -> str:
    """A signed link token naming the submission and the workspace it belongs to."""
    return signing.dumps({"s": int(submission.pk), "w": current_schema_name()}, salt=_CONFIRM_SALT)


def _web_form_or_404(key: str) -> WebForm:
    form_id = form_id_from_key(key)
    web_form = WebForm.objects.filter(pk=form_id, is_active=True).first() if form_id else None
    if web_form is None:
        raise Http404
    return web_form


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _page(
    request: HttpRequest, web_form: WebForm, form: PublicWebForm, status: int = 200
) -> HttpResponse:
    response = render(
        request,
        "marketing/public/webform_page.html",
        {"web_form": web_form, "form": form},
        status=status,
    )
    if web_form.redirect_url and _origin(web_form.redirect_url):
        # Browsers apply form-action to the redirect after the POST too.
        response._csp_update = {"form-action": [_origin(web_form.redirect_url)]}  # type: ignore[attr-defined]
    return response


def _thanks(request: HttpRequest, web_form: WebForm) -> HttpResponse:
    if web_form.redirect_url:
        return HttpResponseRedirect(web_form.redirect_url, status=303)
    return render(request, "marketing/public/webform_thanks.html", {"web_form": web_form})


def _context(form: PublicWebForm, request: HttpRequest) -> dict[str, str]:
    """UTM parameters and the page: as the page sent them, else from the referring page."""
    context = form.context_values()
    referrer = str(request.META.get("HTTP_REFERER", ""))[:1000]
    if not context["page_url"]:
        context["page_url"] = referrer
    for name, value in utm_from_url(context["page_url"]).items():
        context[name] = context[name] or value
    return context


@csrf_exempt
@require_http_methods(["GET", "POST"])
@webform_rate_limit
def webform_public(request: HttpRequest, key: str) -> HttpResponse:
    """The hosted page (GET) and where both the page and the embed snippet post (POST)."""
    web_form = _web_form_or_404(key)
    catalogue = field_catalogue()
    if request.method == "GET":
        initial: dict[str, Any] = {name: request.GET.get(name, "")[:200] for name in UTM_FIELDS}
        initial["page_url"] = request.build_absolute_uri()[:1000]
        initial["referrer"] = str(request.META.get("HTTP_REFERER", ""))[:1000]
        return _page(
            request,
            web_form,
            PublicWebForm(initial=initial, web_form=web_form, catalogue=catalogue),
        )
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.WEBFORM_MAX_BODY_BYTES:
        return render(request, "marketing/public/too_large.html", status=413)
    form = PublicWebForm(request.POST, web_form=web_form, catalogue=catalogue)
    if form.is_spam():
        return _thanks(request, web_form)
    if not form.is_valid():
        return _page(request, web_form, form, status=400)
    values = form.values()
    if values.get("phone"):
        try:
            values["phone"] = phone_normalise(str(values["phone"]))
        except ValidationError as error:
            form.add_error(form.field_name("phone"), error)
            return _page(request, web_form, form, status=400)
    labels = {key: form[form.field_name(key)].label for key in values}
    try:
        web_form_submit(
            form=web_form,
            values=values,
            context=_context(form, request),
            catalogue=catalogue,
            labels={k: str(v) for k, v in labels.items()},
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _page(request, web_form, form, status=400)
    return _thanks(request, web_form)


def _submission_or_404(token: str) -> WebFormSubmission:
    try:
        payload = signing.loads(
            token, salt=_CONFIRM_SALT, max_age=settings.WEBFORM_CONFIRM_MAX_AGE_DAYS * 86400
        )
    except signing.BadSignature as error:
        raise Http404 from error
    if not isinstance(payload, dict) or payload.get("w") != current_schema_name():
        raise Http404
    submission_id = payload.get("s")
    if not isinstance(submission_id, int):
        raise Http404
    submission = WebFormSubmission.objects.select_related("form").filter(pk=submission_id).first()
    if submission is None:
        raise Http404
    return submission


@require_http_methods(["GET", "POST"])
def webform_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Double opt-in: the link shows a button (mail scanners follow links; people press)."""
    submission = _submission_or_404(token)
    if request.method == "POST":
        submission = submission_confirm(submission=submission)
    return render(request, "marketing/public/webform_confirm.html", {"submission": submission})
