"""Pages of the importer: upload, map with a preview, follow progress, results and undo.

Only admins and managers import; viewing a finished import's results and downloading its
error file are reads, and keep working in a read-only (billing) workspace.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.features import feature_enabled
from core.errors import DomainError
from core.permissions import role_required
from crm.selectors.exports import safe_cell
from crm.views.helpers import redirect_after_post, render_page
from onboarding.imports import services
from onboarding.imports.forms import MappingForm, UploadForm
from onboarding.imports.mapping import PRESETS_BY_KEY
from onboarding.imports.models import ImportBatch, ImportStatus
from onboarding.imports.undo import import_undo_start
from tenants.users.models import User

View = Callable[..., Any]
#: Errors listed on the result page (the error file holds them all).
ERRORS_SHOWN = 200

importers = role_required("admin", "manager")


def import_write(view: View) -> View:
    """Pages that exist to change something: links to them are write controls."""
    wrapped = importers(view)
    wrapped.requires_write = True  # type: ignore[attr-defined]
    return wraps(view)(wrapped)


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _batch_or_404(pk: int) -> ImportBatch:
    batch = ImportBatch.objects.select_related("created_by").filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


@require_GET
@importers
def import_list(request: HttpRequest) -> HttpResponse:
    """The workspace's imports, newest first."""
    return render_page(
        request,
        "imports/import_list.html",
        {
            "batches": ImportBatch.objects.select_related("created_by")[:100],
            "active_nav": "imports",
        },
    )


@require_http_methods(["GET", "POST"])
@import_write
def import_new(request: HttpRequest) -> HttpResponse:
    """Upload a file; Rapport recognises its encoding, delimiter, columns and origin."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.import_upload(
                by=_user(request),
                stream=upload.open("rb"),
                file_name=upload.name or "upload",
                size=upload.size or 0,
                kind=form.cleaned_data["kind"],
                encoding=form.cleaned_data.get("encoding") or "",
            )
        except DomainError as error:
            form.add_error("file", str(error))
        else:
            return redirect_after_post(request, batch.get_absolute_url())
    return render_page(
        request,
        "imports/import_new.html",
        {"form": form, "active_nav": "imports", "max_mb": settings.IMPORT_MAX_UPLOAD_MB},
        status=400 if request.method == "POST" else 200,
    )


def _mapping_form(request: HttpRequest, batch: ImportBatch, data: Any = None) -> MappingForm:
    return MappingForm(
        data,
        batch=batch,
        targets=services.mapping_choices(batch),
        can_create_fields=_user(request).is_workspace_admin and feature_enabled("custom_fields"),
    )


def _detail_context(
    request: HttpRequest,
    batch: ImportBatch,
    form: MappingForm | None = None,
    *,
    preview: bool = True,
) -> dict[str, Any]:
    context: dict[str, Any] = {"batch": batch, "active_nav": "imports"}
    preset = PRESETS_BY_KEY.get(batch.preset)
    context["preset_label"] = preset.label if preset else ""
    if batch.status == ImportStatus.MAPPING and preview:
        context["form"] = form or _mapping_form(request, batch)
        try:
            context["preview"] = services.import_preview(batch)
        except DomainError as error:
            context["preview_error"] = str(error)
    if batch.status in (ImportStatus.DONE, ImportStatus.UNDOING, ImportStatus.UNDONE):
        context["row_errors"] = list(batch.row_errors.all()[:ERRORS_SHOWN])
    return context


@require_GET
@importers
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: its mapping and preview before it starts, then progress, then results."""
    batch = _batch_or_404(pk)
    return render_page(request, "imports/import_detail.html", _detail_context(request, batch))


@require_POST
@importers
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the mapping (and how the file is read); preview again, or start the import."""
    batch = _batch_or_404(pk)
    form = _mapping_form(request, batch, request.POST)
    if not form.is_valid():
        return render_page(
            request, "imports/import_detail.html", _detail_context(request, batch, form), status=400
        )
    data = form.cleaned_data
    try:
        batch = services.import_configure(
            batch=batch,
            by=_user(request),
            kind=data["kind"],
            encoding=data.get("encoding"),
            sheet=data.get("sheet"),
            mapping=form.mapping(),
            dedupe=data["dedupe"],
            date_order=data["date_order"],
        )
        if request.POST.get("action") == "start":
            services.import_start(batch=batch, by=_user(request))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect_after_post(request, batch.get_absolute_url())


@require_GET
@importers
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress region, polled while a worker has the import."""
    batch = _batch_or_404(pk)
    return render_page(
        request,
        "imports/import_detail.html",
        _detail_context(request, batch, preview=False),
        partial="progress",
    )


@require_POST
@importers
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(pk)
    try:
        import_undo_start(batch=batch, by=_user(request))
    except DomainError as error:
        messages.error(request, str(error))
    return redirect_after_post(request, batch.get_absolute_url())


@require_GET
@importers
def import_error_file(request: HttpRequest, pk: int) -> Any:
    """The rows that were not imported, as they were, with the line and the reason, ready
    to fix and import again. Cells go through the exports' formula escaping."""
    batch = _batch_or_404(pk)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([safe_cell(h) for h in [*batch.headers, _("Line"), _("Reason")]])
        yield "\ufeff" + buffer.getvalue()
        for error in batch.row_errors.order_by("line", "id").iterator(chunk_size=1000):
            buffer.seek(0)
            buffer.truncate()
            cells = list(error.cells) + [""] * max(0, len(batch.headers) - len(error.cells))
            reason = f"{error.column}: {error.reason}" if error.column else error.reason
            writer.writerow([safe_cell(c) for c in [*cells, error.line, reason]])
            yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = batch.file_name.rsplit(".", 1)[0] or "import"
    response["Content-Disposition"] = f'attachment; filename="{_ascii(name)}-errors.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _ascii(name: str) -> str:
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in name)
    return cleaned.strip("-")[:60] or "import"
