"""List pages: filters, keyset pages, saved views and CSV export of the same selection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm import services
from crm.custom_fields import form_field_name
from crm.errors import CrmError
from crm.forms import ListFilterForm, SavedViewForm
from crm.models import CustomFieldDefinition, FieldType, ListType, SavedView, Tag
from crm.selectors import filtered, ordering
from crm.selectors.lists import DEFAULT_SORT, seek_page
from crm.views.exports import export_response
from crm.views.helpers import bad_query, redirect_after_post, render_page, user_of
from crm.views.kinds import KINDS, RecordKind
from crm.views.records import attach_custom_users, definitions_for, kind_or_404

PER_PAGE = 25


@dataclass(frozen=True)
class ListState:
    """What a valid list query selects: the filter form, the records in order, the sort."""

    form: ListFilterForm
    queryset: Any
    sort: str
    order: tuple[str, ...]
    definitions: list[CustomFieldDefinition]


def list_filter_form(request: HttpRequest, spec: RecordKind) -> ListFilterForm:
    """The list's query string, parsed by its filter form (custom fields included)."""
    data = request.GET.copy()
    if spec.key == "activity" and "status" not in data:
        data["status"] = "open"
    return spec.filter_form_class(data, definitions=definitions_for(spec))


def list_state(request: HttpRequest, spec: RecordKind, form: ListFilterForm) -> ListState:
    """The visible records matching a valid filter form, in the requested order."""
    params = form.cleaned_data
    queryset = filtered(
        spec.objects().visible_to(user_of(request)),
        params=params,
        definitions=form.definitions,
        custom_filters=form.custom_filters(),
    )
    sort = params.get("sort") or DEFAULT_SORT[spec.model]
    order = ordering(spec.model, sort)
    queryset = queryset.order_by(*order).select_related(*spec.related)
    if spec.key != "activity":
        queryset = queryset.prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("name"))
        )
    return ListState(form, queryset, sort, order, form.definitions)


def _filters_active(request: HttpRequest) -> bool:
    return any(v for k, v in request.GET.items() if k not in ("sort", *ListFilterForm.PAGING))


@require_GET
@login_required
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    """A filterable, sortable list of the records the user may see, paged by cursor."""
    spec = kind_or_404(kind)
    user = user_of(request)
    form = list_filter_form(request, spec)
    if not form.is_valid():
        return bad_query(request, form)
    state = list_state(request, spec, form)
    params = form.cleaned_data
    page = seek_page(
        state.queryset,
        order=state.order,
        after=params.get("after") or "",
        before=params.get("before") or "",
        per_page=PER_PAGE,
    )
    columns = [d for d in state.definitions if d.show_in_list]
    attach_custom_users(page.items, columns)
    filterable = [d for d in state.definitions if d.field_type != FieldType.LONG_TEXT]
    return render_page(
        request,
        "crm/record_list.html",
        {
            "spec": spec,
            "form": state.form,
            "page": page,
            "sort": state.sort,
            "custom_columns": columns,
            "custom_filters": [(d, form[form_field_name(d)].value() or "") for d in filterable],
            "active_nav": spec.nav,
            "row_template": f"crm/rows/_{spec.key}.html",
            "filters_active": _filters_active(request),
            "can_write": user.can_write,
            **saved_views_context(request, spec.key, current=params.get("view")),
        },
        partial="results",
    )


@require_GET
@login_required
def record_export(request: HttpRequest, kind: str) -> HttpResponse | StreamingHttpResponse:
    """The list's current selection as CSV, streamed (or ``?format=xlsx``, an Excel workbook):
    what the user sees, filtered as shown.

    A GET, so it keeps working when billing makes the workspace read-only, and read-only
    users export too. The rows are read in chunks inside the workspace's schema, whichever
    schema the connection is on when the server pulls the stream.
    """
    spec = kind_or_404(kind)
    form = list_filter_form(request, spec)
    if not form.is_valid():
        return bad_query(request, form)
    state = list_state(request, spec, form)
    xlsx = form.cleaned_data.get("format") == "xlsx"
    return export_response(
        state.queryset,
        kind=spec.key,
        order=state.order,
        definitions=state.definitions,
        name=spec.url_prefix,
        xlsx_title=str(spec.model._meta.verbose_name_plural).capitalize() if xlsx else "",
    )


@require_POST
@login_required
def saved_view_create(request: HttpRequest) -> HttpResponse:
    """Save the current filters of a list as a named view, then open it."""
    user = user_of(request)
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Name the view to save it."))
        kind = request.POST.get("list_type", "contact")
        return redirect_after_post(request, list_url(kind if kind in LIST_URL_NAMES else "contact"))
    data = form.cleaned_data
    try:
        view = services.saved_view_create(
            by=user,
            list_type=data["list_type"],
            name=data["name"],
            query=data["query"],
            shared=data["shared"],
        )
    except CrmError as error:
        messages.error(request, str(error))
        return redirect_after_post(request, list_url(data["list_type"]))
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect_after_post(request, view_url(view))


@require_POST
@login_required
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a saved view (its owner, or an admin); other users' personal views are 404."""
    user = user_of(request)
    view = SavedView.objects.visible_to(user).filter(pk=pk).first()
    if view is None:
        raise Http404
    try:
        services.saved_view_delete(view=view, by=user)
    except CrmError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect_after_post(request, list_url(view.list_type))


#: The page of each list a view can be saved on (``ListType``).
LIST_URL_NAMES: dict[str, str] = {
    **{key: kind.list_url_name for key, kind in KINDS.items()},
    ListType.CASE: "service_cases",
    ListType.CAMPAIGN: "marketing:campaigns",
}


def list_url(list_type: str) -> str:
    return reverse(LIST_URL_NAMES[list_type])


def view_url(view: SavedView) -> str:
    """The list page with the view's filters applied."""
    query = f"{view.query}&view={view.pk}" if view.query else f"view={view.pk}"
    return f"{list_url(view.list_type)}?{query}"


def saved_views_context(
    request: HttpRequest, list_type: str, *, current: int | None
) -> dict[str, Any]:
    """What ``crm/_saved_views.html`` shows on a list: the user's and the shared views of
    ``list_type`` (each with its URL and whether the user may delete it), the open one, and
    the form saving the current filters."""
    user = user_of(request)
    saved_views = list(SavedView.objects.visible_to(user).for_list(list_type))
    for view in saved_views:
        view.can_delete = view.owner_id == user.pk or user.is_workspace_admin  # type: ignore[attr-defined]
        view.url = view_url(view)  # type: ignore[attr-defined]
    return {
        "saved_views": saved_views,
        "current_view": current,
        "save_view_form": SavedViewForm(
            initial={"list_type": list_type, "query": request.GET.urlencode()}
        ),
    }
