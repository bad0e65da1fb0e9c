"""List, detail, create, edit, delete and bulk pages of companies, contacts, leads and deals."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.features import feature_enabled
from crm import services
from crm.custom_fields import display_value
from crm.errors import CrmError
from crm.forms import BulkActionForm, ContactCompanyForm, DealContactForm, QuickAddForm
from crm.forms.query import RecordPrefillForm, SearchForm, valid_values
from crm.models import (
    Company,
    Contact,
    ContactCompany,
    CustomFieldDefinition,
    Deal,
    DealContact,
    FieldType,
    Lead,
    Stage,
    Tag,
    sees_everything,
)
from crm.selectors import (
    company_duplicates,
    contact_duplicates,
    editable_or_404,
    record_timeline,
    visible_or_404,
)
from crm.selectors.money import workspace_currency
from crm.selectors.search import ranked, text_search
from crm.views.helpers import (
    bad_query_json,
    redirect_after_post,
    render_page,
    user_of,
    write_required,
)
from crm.views.kinds import KINDS, RecordKind
from tenants.users.models import User


def kind_or_404(kind: str) -> RecordKind:
    try:
        return KINDS[kind]
    except KeyError as error:
        raise Http404 from error


def definitions_for(spec: RecordKind) -> list[CustomFieldDefinition]:
    """The custom fields shown for a kind of record (none without the plan's feature).

    The plan is asked only when the workspace defined some: most record types have none,
    and their pages then skip the query.
    """
    if spec.key == "activity":
        return []
    definitions = list(CustomFieldDefinition.objects.for_type(spec.object_type))
    if definitions and not feature_enabled("custom_fields"):
        return []
    return definitions


def attach_custom_users(records: list[Any], definitions: list[CustomFieldDefinition]) -> None:
    """Resolve user-type custom values of a page of records in one query."""
    user_keys = [d.key for d in definitions if d.field_type == FieldType.USER]
    if not user_keys or not records:
        return
    ids = {r.custom.get(k) for r in records for k in user_keys if r.custom.get(k)}
    users = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    for record in records:
        record._custom_users = users


def can_edit(user: Any, record: Any) -> bool:
    """The same rule as ``editable_by``, decided without a query for a record in hand."""
    return bool(user.can_write) and (sees_everything(user) or record.owner_id == user.pk)


def _detail_context(spec: RecordKind, record: Any, user: Any) -> dict[str, Any]:
    definitions = definitions_for(spec)
    users_by_id = {}
    if any(d.field_type == FieldType.USER for d in definitions):
        ids = [record.custom.get(d.key) for d in definitions if d.field_type == FieldType.USER]
        users_by_id = {u.pk: u for u in User.objects.filter(pk__in=[i for i in ids if i])}
    return {
        "spec": spec,
        "record": record,
        "custom_values": [
            (d, display_value(d, record.custom.get(d.key), users_by_id)) for d in definitions
        ],
        "timeline": record_timeline(record=record),
        "quick_add": QuickAddForm(),
        "can_edit": can_edit(user, record),
        "active_nav": spec.nav,
    }


@require_GET
@login_required
def record_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = kind_or_404(kind)
    user = user_of(request)
    related = (*spec.related, "stage__pipeline") if spec.key == "deal" else spec.related
    record = visible_or_404(spec.objects().select_related(*related), user, pk)
    context = _detail_context(spec, record, user)
    if spec.key == "contact":
        context["company_form"] = ContactCompanyForm(user=user)
        context["company_links"] = ContactCompany.objects.filter(contact=record).select_related(
            "company"
        )
        context["deals"] = (
            Deal.objects.visible_to(user).filter(contacts=record).select_related("stage")[:20]
        )
    elif spec.key == "company":
        context["contact_links"] = ContactCompany.objects.filter(company=record).select_related(
            "contact"
        )[:50]
        context["deals"] = (
            Deal.objects.visible_to(user).filter(company=record).select_related("stage")[:20]
        )
    elif spec.key == "deal":
        context["contact_form"] = DealContactForm(user=user)
        context["contact_links"] = DealContact.objects.filter(deal=record).select_related("contact")
        context["stages"] = list(
            Stage.objects.filter(pipeline_id=record.pipeline_id).order_by("position", "id")
        )
    return render_page(request, f"crm/{spec.key}_detail.html", context, partial="timeline")


def _tags_from_names(names: list[str], by: Any) -> list[Tag]:
    return [services.tag_get_or_create(name=name, by=by) for name in names]


def _duplicates(spec: RecordKind, form: Any, user: Any, exclude: int | None) -> list[Any]:
    data = form.cleaned_data
    if spec.key == "contact":
        name = f"{data.get('first_name', '')} {data.get('last_name', '')}".strip()
        return contact_duplicates(
            user=user,
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            name=name,
            exclude=exclude,
        )
    if spec.key == "company":
        return company_duplicates(
            user=user,
            domain=data.get("domain", ""),
            phone=data.get("phone", ""),
            name=data.get("name", ""),
            exclude=exclude,
        )
    return []


def _form_kwargs(spec: RecordKind, user: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"definitions": definitions_for(spec)}
    if spec.key in ("contact", "deal"):
        kwargs["user"] = user
    return kwargs


def _save(spec: RecordKind, form: Any, user: Any, record: Any | None) -> Any:
    fields = form.record_fields()
    tags = _tags_from_names(form.cleaned_data.get("tag_names", []), user)
    if record is not None:
        return spec.update(record=record, by=user, fields=fields, tags=tags)
    if spec.key == "contact":
        return services.contact_create(
            by=user,
            fields=fields,
            tags=tags,
            company=form.cleaned_data.get("company"),
            company_role=form.cleaned_data.get("company_role") or "employee",
        )
    if spec.key == "deal":
        return services.deal_create(
            by=user, fields=fields, tags=tags, stage=form.cleaned_data["stage"]
        )
    return spec.create(by=user, fields=fields, tags=tags)


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_http_methods(["GET", "POST"])
@write_required
def record_form(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    """Create or edit a record; on create, warn about likely duplicates before saving."""
    spec = kind_or_404(kind)
    user = user_of(request)
    record = editable_or_404(spec.objects(), user, pk) if pk is not None else None
    initial = {"owner": user.pk} if record is None else {}
    if record is None and spec.key == "deal":
        initial["currency"] = workspace_currency()
        initial["stage"] = services.first_open_stage(services.default_pipeline()).pk
        initial.update(valid_values(RecordPrefillForm(request.GET)))
    form = spec.form_class(
        request.POST or None, instance=record, initial=initial, **_form_kwargs(spec, user)
    )
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        if record is None and not request.POST.get("confirm_duplicate"):
            duplicates = _duplicates(spec, form, user, exclude=None)
        if not duplicates:
            try:
                saved = _save(spec, form, user, record)
            except ValidationError as error:
                _apply_errors(form, error)
            except CrmError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("%(record)s saved.") % {"record": saved})
                return redirect_after_post(request, saved.get_absolute_url())
    return render_page(
        request,
        "crm/record_form.html",
        {
            "spec": spec,
            "form": form,
            "record": record,
            "duplicates": duplicates,
            "active_nav": spec.nav,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@write_required
def record_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = kind_or_404(kind)
    user = user_of(request)
    record = editable_or_404(spec.objects(), user, pk)
    name = str(record)
    spec.delete(record=record, by=user)
    messages.success(request, _("%(record)s deleted.") % {"record": name})
    return redirect_after_post(request, reverse(spec.list_url_name))


@require_http_methods(["POST"])
@write_required
def record_bulk(request: HttpRequest, kind: str) -> HttpResponse:
    """Assign an owner, add a tag or delete the selected records (delete asks first)."""
    spec = kind_or_404(kind)
    user = user_of(request)
    form = BulkActionForm(request.POST)
    back = reverse(spec.list_url_name) + "?" + request.POST.get("back", "")
    if not form.is_valid():
        messages.error(request, _("Select records and an action first."))
        return redirect_after_post(request, back)
    selection = spec.objects().editable_by(user).filter(pk__in=form.cleaned_data["ids"])
    action = form.cleaned_data["action"]
    if action == "delete" and not form.cleaned_data["confirmed"]:
        return render_page(
            request,
            "crm/bulk_confirm.html",
            {
                "spec": spec,
                "records": list(selection[:50]),
                "count": selection.count(),
                "ids": form.cleaned_data["ids"],
                "back": request.POST.get("back", ""),
                "active_nav": spec.nav,
            },
        )
    try:
        if action == "assign":
            count = services.records_assign_owner(
                queryset=selection,
                object_type=spec.object_type,
                owner=form.cleaned_data["owner"],
                by=user,
            )
        elif action == "tag":
            tag = services.tag_get_or_create(name=form.cleaned_data["tag_name"], by=user)
            count = services.records_add_tag(
                queryset=selection, object_type=spec.object_type, tag=tag, by=user
            )
        else:
            count = services.records_delete(
                queryset=selection, object_type=spec.object_type, by=user
            )
    except CrmError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(count)d records updated.") % {"count": count})
    return redirect_after_post(request, back)


@require_POST
@write_required
def quick_add(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Log a note or call, or schedule a task, from a record's page; answers the timeline."""
    spec = kind_or_404(kind)
    user = user_of(request)
    record = visible_or_404(spec.objects(), user, pk)
    form = QuickAddForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        links: dict[str, Any] = {spec.key: record}
        if spec.key == "deal" and record.company_id:
            links["company"] = record.company
        try:
            services.activity_create(
                by=user,
                fields={
                    "kind": data["kind"],
                    "subject": data["subject"],
                    "body": data["body"],
                    "due_at": data["due_at"],
                    "done_at": timezone.now() if data["done"] else None,
                    **links,
                },
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            form = QuickAddForm()
    if not form.errors and not getattr(request, "htmx", False):
        return redirect(record.get_absolute_url())
    # The timeline again, with the form as typed when something was refused.
    context = _detail_context(spec, record, user)
    context["quick_add"] = form
    status = 400 if form.errors else 200
    template = f"crm/{spec.key}_detail.html"
    return render_page(request, template, context, partial="timeline", status=status)


LOOKUPS: dict[str, tuple[type[Any], str]] = {
    "contacts": (Contact, "full_name"),
    "companies": (Company, "name"),
    "deals": (Deal, "title"),
    "leads": (Lead, "name"),
}


@require_GET
@login_required
def lookup(request: HttpRequest, kind: str) -> JsonResponse:
    """Options for record pickers: up to 20 visible records matching ``q``."""
    if kind not in LOOKUPS:
        raise Http404
    model, _column = LOOKUPS[kind]
    form = SearchForm(request.GET)
    if not form.is_valid():
        return bad_query_json(form)
    text = form.cleaned_data["q"]
    queryset = model.objects.visible_to(user_of(request))
    if text:
        queryset = ranked(text_search(queryset, text), text)
    results = [{"id": r.pk, "text": str(r)} for r in queryset[:20]]
    return JsonResponse({"results": results})
