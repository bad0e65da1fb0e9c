"""Admin pages of the web forms: list, build, embed, submissions log."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.permissions import admin_required
from crm.forms.query import PageNumberField
from crm.marketing.forms import SnippetLanguageForm, WebFormSettingsForm
from crm.marketing.models import WebForm
from crm.marketing.services.webforms import web_form_delete, web_form_save
from crm.marketing.webforms import (
    PublicWebForm,
    embed_snippet_html,
    field_catalogue,
    form_key,
)
from crm.selectors import paginate
from crm.views.helpers import bad_query, redirect_after_post, render_page, user_of


class _PageForm(forms.Form):
    page = PageNumberField()


@require_GET
@admin_required
def webform_list(request: HttpRequest) -> HttpResponse:
    web_forms = WebForm.objects.select_related("owner").order_by("name", "id")
    return render_page(
        request,
        "marketing/webform_list.html",
        {"web_forms": web_forms, "active_nav": "marketing"},
    )


@require_http_methods(["GET", "POST"])
@admin_required
def webform_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Build a new form or change one: settings, and the fields it asks with their labels."""
    web_form = get_object_or_404(WebForm, pk=pk) if pk is not None else None
    catalogue = field_catalogue()
    form = WebFormSettingsForm(
        request.POST or None,
        instance=web_form,
        catalogue=catalogue,
        initial={} if web_form else {"owner": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        saved = web_form_save(
            by=user_of(request),
            values=form.settings_values(),
            rotation=form.cleaned_data.get("round_robin_users") or [],
            form=web_form,
        )
        messages.success(request, _("Web form saved."))
        return redirect_after_post(request, saved.get_absolute_url())
    return render_page(
        request,
        "marketing/webform_form.html",
        {"form": form, "web_form": web_form, "active_nav": "marketing"},
        status=400 if form.is_bound else 200,
    )


def embed_snippet(request: HttpRequest, web_form: WebForm, language: str) -> str:
    """The HTML form a customer pastes into their site: it posts to the workspace host."""
    with translation.override(language):
        public_form = PublicWebForm(web_form=web_form, catalogue=field_catalogue())
        action = request.build_absolute_uri(
            reverse("marketing:webform_public", args=[form_key(web_form)])
        )
        return embed_snippet_html(public_form, action=action, language=language)


@require_GET
@admin_required
def webform_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The hosted page's address, the embed snippet, and the submissions log."""
    web_form = get_object_or_404(WebForm.objects.select_related("owner"), pk=pk)
    query = _PageForm(request.GET)
    language_form = SnippetLanguageForm(request.GET)
    if not query.is_valid():
        return bad_query(request, query)
    if not language_form.is_valid():
        return bad_query(request, language_form)
    language = language_form.cleaned_data["language"] or translation.get_language() or "en"
    submissions = web_form.submissions.select_related("lead", "contact").order_by(
        "-created_at", "-id"
    )
    page = paginate(submissions, page=query.cleaned_data["page"] or 1, per_page=25)
    hosted_url = request.build_absolute_uri(
        reverse("marketing:webform_public", args=[form_key(web_form)])
    )
    return render_page(
        request,
        "marketing/webform_detail.html",
        {
            "web_form": web_form,
            "hosted_url": hosted_url,
            "snippet": embed_snippet(request, web_form, language),
            "snippet_language": language,
            "page": page,
            "active_nav": "marketing",
        },
        partial="submissions",
    )


@require_POST
@admin_required
def webform_delete(request: HttpRequest, pk: int) -> HttpResponse:
    web_form = get_object_or_404(WebForm, pk=pk)
    web_form_delete(by=user_of(request), form=web_form)
    messages.success(request, _("Web form deleted."))
    return redirect_after_post(request, reverse("marketing:webforms"))
