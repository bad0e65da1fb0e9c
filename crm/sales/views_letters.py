"""Mail-merge letters: templates (admins and managers) and printing for chosen contacts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError
from crm.forms.query import parse_record_id
from crm.models import Contact
from crm.sales.forms import LetterPrintForm, LetterTemplateForm
from crm.sales.letters import LETTERS_MAX, MERGE_FIELDS, letter_template_save, letters_print
from crm.sales.models import LetterTemplate
from crm.sales.services import can_manage_catalogue
from crm.sales.views import _error_to_form, catalogue_write
from crm.views.helpers import redirect_after_post, render_page, user_of, write_required


@require_GET
@login_required
def letter_template_list(request: HttpRequest) -> HttpResponse:
    return render_page(
        request,
        "sales/letter_template_list.html",
        {
            "templates": LetterTemplate.objects.all(),
            "can_manage": can_manage_catalogue(request.user),
            "active_nav": "contacts",
        },
    )


@require_http_methods(["GET", "POST"])
@catalogue_write
def letter_template_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    template = get_object_or_404(LetterTemplate, pk=pk) if pk else None
    form = LetterTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        try:
            letter_template_save(by=user_of(request), fields=form.cleaned_data, template=template)
        except (ValidationError, DomainError) as error:
            _error_to_form(form, error)
        else:
            return redirect_after_post(request, reverse("letter_templates"))
    return render_page(
        request,
        "sales/letter_template_form.html",
        {"form": form, "template": template, "fields": MERGE_FIELDS, "active_nav": "contacts"},
    )


def _ids(request: HttpRequest) -> list[int]:
    source = request.POST if request.method == "POST" else request.GET
    ids = (parse_record_id(value) for value in source.getlist("ids")[: LETTERS_MAX + 1])
    return [pk for pk in ids if pk is not None]


@require_http_methods(["GET", "POST"])
@write_required
def letter_print(request: HttpRequest) -> HttpResponse:
    """Letters for the contacts ticked in the list (``?ids=``) or those with a tag."""
    user = user_of(request)
    ids = _ids(request)
    form = LetterPrintForm(request.POST or None, ids=ids)
    visible = Contact.objects.visible_to(user)
    if request.method == "POST" and form.is_valid():
        tag = form.cleaned_data["tag"]
        contacts = visible.filter(tags=tag) if tag else visible.filter(pk__in=ids)
        chosen = list(contacts.order_by("full_name", "id")[: LETTERS_MAX + 1])
        as_zip = form.cleaned_data["output"] == "zip"
        try:
            content = letters_print(
                template=form.cleaned_data["template"], contacts=chosen, by=user, as_zip=as_zip
            )
        except (ValidationError, DomainError) as error:
            _error_to_form(form, error)
        else:
            stamp = timezone.localdate().isoformat()
            name = f"letters-{stamp}.{'zip' if as_zip else 'pdf'}"
            response = HttpResponse(
                content, content_type="application/zip" if as_zip else "application/pdf"
            )
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return render_page(
        request,
        "sales/letter_print.html",
        {
            "form": form,
            "selected": visible.filter(pk__in=ids).order_by("full_name")[:LETTERS_MAX],
            "max": LETTERS_MAX,
            "active_nav": "contacts",
        },
    )
