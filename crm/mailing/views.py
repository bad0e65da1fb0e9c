"""Pages of e-mail from the CRM: templates in settings, compose and send to contacts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.permissions import admin_required
from crm.errors import CrmError
from crm.mailing import services
from crm.mailing.forms import ComposeForm, EmailTemplateForm, PreviewForm
from crm.mailing.merge import MergeContext, merge_field_names, merge_render
from crm.mailing.models import EmailTemplate
from crm.models import Contact
from crm.selectors import visible_or_404
from crm.views.helpers import redirect_after_post, user_of, write_required


def _preview(
    template_subject: str, body: str, contact: Contact | None, sender: Any
) -> dict[str, str]:
    context = MergeContext(
        contact=contact,
        company=services.contact_company(contact) if contact is not None else None,
        sender=sender,
    )
    return {"subject": merge_render(template_subject, context), "body": merge_render(body, context)}


@require_GET
@admin_required
def template_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "mailing/template_list.html",
        {"templates": EmailTemplate.objects.all(), "active_nav": "settings"},
    )


@require_http_methods(["GET", "POST"])
@admin_required
def template_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write or change a template; a preview shows it filled in for a chosen contact."""
    user = user_of(request)
    template = get_object_or_404(EmailTemplate, pk=pk) if pk is not None else None
    form = EmailTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = services.email_template_save(by=user, fields=fields, template=template)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        except CrmError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Template %(name)s saved.") % {"name": saved})
            return redirect_after_post(request, reverse("email_templates"))
    preview_form = PreviewForm(request.GET or None, user=user)
    preview = None
    if template is not None:
        contact = preview_form.cleaned_data.get("contact") if preview_form.is_valid() else None
        preview = _preview(template.subject, template.body, contact, user)
    return render(
        request,
        "mailing/template_form.html",
        {
            "form": form,
            "template": template,
            "preview_form": preview_form,
            "preview": preview,
            "merge_fields": merge_field_names(),
            "active_nav": "settings",
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@admin_required
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(EmailTemplate, pk=pk)
    services.email_template_delete(by=user_of(request), template=template)
    messages.success(request, _("Template deleted."))
    return redirect_after_post(request, reverse("email_templates"))


def _compose(
    request: HttpRequest, contacts: QuerySet[Contact], *, back: str, ids: list[int]
) -> HttpResponse:
    user = user_of(request)
    recipients = list(contacts[: services.MAX_RECIPIENTS + 1])
    initial: dict[str, Any] = {}
    chosen = request.POST.get("template") or "" if "use_template" in request.POST else ""
    if chosen.isdigit():
        template = EmailTemplate.objects.filter(pk=int(chosen)).first()
        if template is not None:
            initial = {"template": template, "subject": template.subject, "body": template.body}
    sending = request.method == "POST" and "subject" in request.POST and not initial
    form = ComposeForm(request.POST if sending else None, initial=initial)
    preview = None
    if sending and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            preview = _preview(
                data["subject"], data["body"], recipients[0] if recipients else None, user
            )
        else:
            try:
                result = services.email_send(
                    sender=user,
                    contacts=recipients,
                    subject=data["subject"],
                    body=data["body"],
                    template=data["template"],
                )
            except CrmError as error:
                form.add_error(None, str(error))
            else:
                if result.sendable:
                    messages.success(
                        request,
                        _("Sending %(count)d e-mails. Each is logged on the contact's timeline.")
                        % {"count": result.sendable},
                    )
                if result.skipped:
                    messages.warning(request, result.summary)
                return redirect_after_post(request, back)
    blocked = [(c, services.skip_reason(c)) for c in recipients if services.skip_reason(c)]
    return render(
        request,
        "mailing/compose.html",
        {
            "form": form,
            "recipients": recipients[:50],
            "recipient_count": len(recipients),
            "blocked": blocked,
            "ids": ",".join(str(i) for i in ids),
            "templates": EmailTemplate.objects.all(),
            "preview": preview,
            "merge_fields": merge_field_names(),
            "back": back,
            "active_nav": "contacts",
        },
        status=400 if sending and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@write_required
def contact_email(request: HttpRequest, pk: int) -> HttpResponse:
    """Write to one contact, from a template or free text."""
    contact = visible_or_404(Contact.objects.all(), user_of(request), pk)
    return _compose(
        request,
        Contact.objects.filter(pk=contact.pk),
        back=contact.get_absolute_url(),
        ids=[int(contact.pk)],
    )


@require_POST
@write_required
def contacts_email(request: HttpRequest) -> HttpResponse:
    """Write to the contacts selected in the list (posted ids, limited to visible ones)."""
    ids = sorted(
        {
            int(part)
            for value in request.POST.getlist("ids")
            for part in value.split(",")
            if part.strip().isdigit()
        }
    )
    if not ids:
        messages.error(request, _("Select contacts first."))
        return redirect("contacts")
    contacts = (
        Contact.objects.visible_to(user_of(request)).filter(pk__in=ids).order_by("full_name", "id")
    )
    return _compose(request, contacts, back=reverse("contacts"), ids=ids)
