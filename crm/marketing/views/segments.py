"""Segment pages: list, build (with a live size), detail with members, export, list members."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.custom_fields import form_field_name
from crm.errors import CrmError
from crm.forms.query import PageNumberField, RecordIdField, parse_record_id
from crm.marketing.forms import SegmentForm
from crm.marketing.models import Segment, SegmentKind, SegmentRecordType
from crm.marketing.selectors import (
    MODELS,
    segment_filter_form,
    segment_filter_queryset,
    segment_members,
    segment_problems,
    segment_size,
    segments_visible,
)
from crm.marketing.services.segments import (
    can_manage,
    segment_delete,
    segment_members_add,
    segment_members_remove,
    segment_save,
)
from crm.models import Contact, FieldType
from crm.selectors import paginate
from crm.selectors.lists import ordering
from crm.views.exports import export_response
from crm.views.helpers import (
    bad_query,
    redirect_after_post,
    render_page,
    user_of,
    write_required,
)

ORDER: dict[str, str] = {SegmentRecordType.CONTACT: "name", SegmentRecordType.COMPANY: "name"}


class _DetailQuery(forms.Form):
    page = PageNumberField()


class _TypeQuery(forms.Form):
    type = forms.ChoiceField(required=False, choices=SegmentRecordType.choices)


class _MembersForm(forms.Form):
    segment = RecordIdField()
    new_list = forms.CharField(required=False, max_length=120)


#: The most contacts one bulk action adds or removes (a page of the list holds far fewer).
MAX_SELECTED = 1000


def _selected_ids(values: list[Any]) -> list[int]:
    """The record ids of a selection; anything that is not one is ignored."""
    ids = (parse_record_id(value) for value in values[:MAX_SELECTED])
    return list(dict.fromkeys(pk for pk in ids if pk is not None))


def _segment_or_404(pk: int) -> Segment:
    return get_object_or_404(Segment.objects.select_related("owner"), pk=pk)


def _manageable_or_404(request: HttpRequest, pk: int) -> Segment:
    segment = _segment_or_404(pk)
    if not can_manage(user_of(request), segment):
        raise Http404
    return segment


@require_GET
@login_required
def segment_list(request: HttpRequest) -> HttpResponse:
    """Every segment of the workspace; sizes load one by one (htmx), each one COUNT."""
    return render_page(
        request,
        "marketing/segment_list.html",
        {"segments": list(segments_visible(user_of(request))), "active_nav": "marketing"},
    )


def _filter_fields(form: forms.Form) -> dict[str, Any]:
    definitions = getattr(form, "definitions", [])
    custom = [form[form_field_name(d)] for d in definitions if d.field_type != FieldType.LONG_TEXT]
    standard = [
        form[name]
        for name in ("q", "owner", "tag", "created_from", "created_to")
        if name in form.fields
    ]
    history = [form[name] for name in ("has_won_deal", "won_value_above", "no_activity_days")]
    value = [form[name] for name in ("value_segment", "value_at_risk", "value_top")]
    return {"standard": standard, "custom": custom, "history": history, "value": value}


@require_http_methods(["GET", "POST"])
@write_required
def segment_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Build a segment: its name and type, and for a dynamic one the filter (size shown live)."""
    segment = _manageable_or_404(request, pk) if pk is not None else None
    if segment is not None:
        record_type = segment.record_type
    else:
        type_query = _TypeQuery(request.GET)
        if not type_query.is_valid():
            return bad_query(request, type_query)
        record_type = type_query.cleaned_data["type"] or SegmentRecordType.CONTACT
    data = request.POST if request.method == "POST" else None
    form = SegmentForm(data, instance=segment)
    filters = segment_filter_form(
        record_type, data if data is not None else (segment.filters if segment else None)
    )
    if data is not None and form.is_valid() and filters.is_valid():
        kind = segment.kind if segment else form.cleaned_data["kind"]
        if kind == SegmentKind.STATIC and record_type != SegmentRecordType.CONTACT:
            form.add_error("kind", _("Static lists hold contacts."))
        else:
            try:
                saved = segment_save(
                    by=user_of(request),
                    name=form.cleaned_data["name"],
                    kind=kind,
                    record_type=record_type,
                    filters=filters.stored(),
                    segment=segment,
                )
            except CrmError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Segment saved."))
                return redirect_after_post(request, saved.get_absolute_url())
    return render_page(
        request,
        "marketing/segment_form.html",
        {
            "form": form,
            "filters": filters,
            "fields": _filter_fields(filters),
            "segment": segment,
            "record_type": record_type,
            "record_types": SegmentRecordType.choices,
            "active_nav": "marketing",
        },
        status=400 if data is not None else 200,
    )


@require_GET
@login_required
def segment_preview_size(request: HttpRequest) -> HttpResponse:
    """The size of the filter being built (htmx, as the filter changes): one COUNT."""
    type_query = _TypeQuery(request.GET)
    record_type = (
        type_query.cleaned_data["type"] if type_query.is_valid() else ""
    ) or SegmentRecordType.CONTACT
    form = segment_filter_form(record_type, request.GET)
    size = None
    if form.is_valid():
        base = MODELS[record_type].objects.visible_to(user_of(request))
        size = segment_filter_queryset(base, record_type, form.stored()).order_by().count()
    return render(
        request, "marketing/_segment_size.html", {"size": size, "record_type": record_type}
    )


@require_GET
@login_required
def segment_size_view(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment_or_404(pk)
    size = segment_size(segment, user=user_of(request))
    return render(
        request,
        "marketing/_segment_size.html",
        {"size": size, "record_type": segment.record_type},
    )


@require_GET
@login_required
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The segment's members the user may see, paged; a static list's can be removed."""
    segment = _segment_or_404(pk)
    query = _DetailQuery(request.GET)
    if not query.is_valid():
        return bad_query(request, query)
    user = user_of(request)
    members = (
        segment_members(segment, user=user)
        .select_related("owner")
        .order_by(*ordering(MODELS[segment.record_type], ORDER[segment.record_type]))
    )
    page = paginate(members, page=query.cleaned_data["page"] or 1, per_page=25)
    editor = (
        None if segment.is_static else segment_filter_form(segment.record_type, segment.filters)
    )
    problems = segment_problems(segment, form=editor)
    return render_page(
        request,
        "marketing/segment_detail.html",
        {
            "segment": segment,
            "page": page,
            "problems": problems,
            "can_manage": can_manage(user, segment),
            "describe": _describe(segment, editor) if editor is not None else [],
            "active_nav": "marketing",
        },
        partial="members",
    )


def _describe(segment: Segment, form: Any) -> list[tuple[str, str]]:
    """The filter as "label: value" pairs, for the detail page."""
    form.is_valid()
    described = []
    for name, raw in segment.filters.items():
        if name not in form.fields:
            continue
        field = form.fields[name]
        value = raw
        if isinstance(field, forms.ChoiceField):
            choices: Any = field.choices
            value = {str(k): v for k, v in choices}.get(str(raw), raw)
        if isinstance(field, forms.BooleanField):
            value = _("Yes")
        described.append((str(field.label or name), str(value)))
    return described


@require_GET
@login_required
def segment_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The members the user sees, as the lists export them (CSV, the same columns)."""
    segment = _segment_or_404(pk)
    model = MODELS[segment.record_type]
    order = ordering(model, ORDER[segment.record_type])
    queryset = segment_members(segment, user=user_of(request)).order_by(*order)
    from crm.marketing.selectors import definitions_for

    definitions = definitions_for(segment.record_type)
    return export_response(
        queryset,
        kind=segment.record_type,
        order=order,
        definitions=definitions,
        name=f"segment-{segment.pk}",
    )


@require_POST
@write_required
def segment_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _manageable_or_404(request, pk)
    segment_delete(by=user_of(request), segment=segment)
    messages.success(request, _("Segment deleted."))
    return redirect_after_post(request, reverse("marketing:segments"))


@require_http_methods(["GET", "POST"])
@write_required
def segment_members_add_view(request: HttpRequest) -> HttpResponse:
    """From the contacts list's bulk bar: choose a static list (or name a new one) and add.

    The first POST (the bulk bar's) shows the choice; the second adds the contacts.
    """
    user = user_of(request)
    data = request.POST if request.method == "POST" else request.GET
    form = _MembersForm(data)
    lists = list(Segment.objects.filter(kind=SegmentKind.STATIC).order_by("name", "id"))
    ids = _selected_ids(data.getlist("ids"))
    contacts = Contact.objects.visible_to(user).filter(pk__in=ids)
    if request.method == "POST" and "add" in request.POST and form.is_valid():
        data_ok = form.cleaned_data
        segment: Segment | None = None
        if data_ok.get("new_list"):
            segment = segment_save(
                by=user,
                name=data_ok["new_list"],
                kind=SegmentKind.STATIC,
                record_type=SegmentRecordType.CONTACT,
                filters={},
            )
        elif data_ok.get("segment"):
            segment = next((s for s in lists if s.pk == data_ok["segment"]), None)
        if segment is None:
            form.add_error("segment", _("Choose a list or name a new one."))
        else:
            added = segment_members_add(by=user, segment=segment, contacts=contacts)
            messages.success(
                request,
                _("%(count)d contacts added to “%(name)s”.") % {"count": added, "name": segment},
            )
            return redirect_after_post(request, segment.get_absolute_url())
    return render_page(
        request,
        "marketing/segment_members_add.html",
        {
            "form": form,
            "lists": lists,
            "contacts": list(contacts[:50]),
            "count": contacts.count(),
            "ids": ids,
            "active_nav": "marketing",
        },
    )


@require_POST
@write_required
def segment_members_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment_or_404(pk)
    user = user_of(request)
    if not segment.is_static:
        raise Http404
    ids = _selected_ids(request.POST.getlist("ids"))
    contacts = Contact.objects.visible_to(user).filter(pk__in=ids)
    removed = segment_members_remove(by=user, segment=segment, contacts=contacts)
    messages.success(request, _("%(count)d contacts removed.") % {"count": removed})
    return redirect_after_post(request, segment.get_absolute_url())
