"""Imports: upload, map, preview, run in chunks, finish, undo.

An import is resumable at every step because PostgreSQL holds its whole state: the file in
blocks, the rows in chunks, each chunk marked done in the same transaction as the records
it wrote (a worker killed mid-chunk leaves nothing of that chunk behind, and the chunk runs
again), and a heartbeat a sweeper watches. Records are written by the CRM's own services.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import services as crm
from crm.models import Company, CustomFieldDefinition, FieldType
from crm.notifications import hooks as notification_hooks
from onboarding.imports import reading
from onboarding.imports.errors import DataImportError
from onboarding.imports.mapping import (
    CUSTOM_PREFIX,
    NEW_CUSTOM,
    OBJECT_TYPES,
    TARGETS,
    auto_map,
    detect_preset,
)
from onboarding.imports.models import (
    DateOrder,
    DedupeMode,
    ImportBatch,
    ImportChunk,
    ImportedRecord,
    ImportFileBlock,
    ImportKind,
    ImportRowError,
    ImportStatus,
    RecordAction,
)
from onboarding.imports.planning import ReadPlanner, chunk_indexes
from onboarding.imports.rows import (
    COMPANY,
    CompanyIndex,
    ContactIndex,
    Context,
    ParsedRow,
    RowError,
    parse_row,
    pending_flush,
    row_apply,
    row_import,
)
from tenants.models import Tenant
from tenants.selectors import current_tenant
from tenants.users.models import User

#: Bytes per stored block of an uploaded file.
BLOCK_SIZE = 1024 * 1024
#: Countries that write 3/7/1985 for March 7 (everyone else: 3 July).
MONTH_FIRST_COUNTRIES = frozenset({"US", "PH", "FM", "MH", "PW", "CA", "BZ"})
#: A chunk task works this long, then hands the rest to a new task (fair to other workspaces).
TASK_SECONDS = 20.0
AUTO = "auto"


def workspace() -> Tenant:
    """The workspace whose schema the connection is in (a request's, or a task's)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant) and tenant.schema_name == connection.schema_name:  # type: ignore[attr-defined]
        return tenant
    return current_tenant()


def ensure_may_import(user: User) -> None:
    """Admins and managers bring data in; importing is a write like any other."""
    if not user.is_active or not user.can_write or str(user.role) not in ("admin", "manager"):
        raise DataImportError(_("Only admins and managers can import data."))


def max_upload_bytes() -> int:
    return int(settings.IMPORT_MAX_UPLOAD_MB) * 1024 * 1024


def ensure_size(size: int) -> None:
    if size > max_upload_bytes():
        raise DataImportError(
            _("The file is larger than %(limit)d MB. Split it into smaller files and import each.")
            % {"limit": settings.IMPORT_MAX_UPLOAD_MB}
        )


# --- The stored file -------------------------------------------------------------------------


def _store(batch: ImportBatch, stream: IO[bytes]) -> int:
    size = index = 0
    while block := stream.read(BLOCK_SIZE):
        size += len(block)
        ensure_size(size)
        ImportFileBlock.objects.create(batch=batch, index=index, data=block)
        index += 1
    if not size:
        raise DataImportError(_("The file is empty."))
    return size


def file_stream(batch: ImportBatch) -> io.BufferedReader:
    """The stored file as a stream, one block read from the database at a time."""
    indexes = list(
        ImportFileBlock.objects.filter(batch=batch)
        .order_by("index")
        .values_list("index", flat=True)
    )

    def blocks() -> Iterator[bytes]:
        for index in indexes:
            data = (
                ImportFileBlock.objects.filter(batch=batch, index=index)
                .values_list("data", flat=True)
                .get()
            )
            yield bytes(data)

    return io.BufferedReader(reading.BlockStream(blocks()), buffer_size=BLOCK_SIZE)


def _head(batch: ImportBatch) -> bytes:
    first = ImportFileBlock.objects.filter(batch=batch, index=0).values_list("data", flat=True)
    data = bytes(first.first() or b"")
    return data[: reading.DETECT_BYTES]


def file_rows(batch: ImportBatch) -> Iterator[reading.Row]:
    """The rows of the stored file, header first, as the import reads them."""
    return reading.rows(
        file_stream(batch),
        file_format=batch.file_format,
        encoding=batch.encoding,
        delimiter=batch.delimiter,
        sheet=batch.sheet,
    )


def headers_of(first: reading.Row) -> list[str]:
    """The header row's names; a column without one is called by its number."""
    names = []
    for index, cell in enumerate(first.cells, start=1):
        name = reading.xlsx_cell(cell) if not isinstance(cell, str) else cell
        name = " ".join(str(name).split())
        names.append(name or _("Column %(number)d") % {"number": index})
    return names


# --- Upload and mapping ----------------------------------------------------------------------


def _inspect(batch: ImportBatch, *, kind: str, encoding: str, sheet: str) -> None:
    """Detect the format, encoding, delimiter, sheets and headers, and map the columns."""
    head = _head(batch)
    batch.file_format = reading.detect_format(head)
    if batch.file_format == reading.XLSX:
        batch.encoding = batch.detected_encoding = batch.delimiter = ""
        batch.sheets = reading.xlsx_sheets(file_stream(batch))
        batch.sheet = sheet if sheet in batch.sheets else (batch.sheets[0] if batch.sheets else "")
    else:
        batch.detected_encoding = reading.detect_encoding(head)
        batch.encoding = encoding or batch.detected_encoding
        batch.delimiter = reading.sniff_delimiter(reading.decoded_sample(head, batch.encoding))
    first = next(iter(file_rows(batch)), None)
    if first is None:
        raise DataImportError(_("The file has no rows. The first row must name the columns."))
    batch.headers = headers_of(first)
    preset = detect_preset(batch.headers)
    if kind == AUTO or not kind:
        kind = preset.kind if preset is not None else ImportKind.CONTACTS
    batch.kind = kind
    batch.preset = preset.key if preset is not None and preset.kind == kind else ""
    batch.source = preset.source if batch.preset and preset is not None else "file"
    batch.mapping = auto_map(
        batch.headers,
        kind,
        preset=preset if batch.preset else None,
        custom_fields=list(CustomFieldDefinition.objects.for_type(OBJECT_TYPES[kind])),  # type: ignore[index]
    )


@transaction.atomic
def import_upload(
    *,
    by: User,
    stream: IO[bytes],
    file_name: str,
    size: int,
    kind: str = AUTO,
    encoding: str = "",
    sheet: str = "",
) -> ImportBatch:
    """Store an uploaded file and recognise it: format, encoding, delimiter, headers,
    the export it comes from and the columns' targets. Nothing is imported yet."""
    ensure_may_import(by)
    ensure_size(size)
    tenant = workspace()
    batch = ImportBatch.objects.create(
        kind=kind if kind != AUTO else ImportKind.CONTACTS,
        file_name=file_name[:255],
        file_format=reading.CSV,
        created_by=by,
        date_order=(
            DateOrder.MONTH_FIRST
            if str(tenant.country).upper() in MONTH_FIRST_COUNTRIES
            else DateOrder.DAY_FIRST
        ),
    )
    batch.file_size = _store(batch, stream)
    _inspect(batch, kind=kind, encoding=encoding, sheet=sheet)
    batch.save()
    return batch


def _ensure_mapping(batch: ImportBatch) -> None:
    if batch.status != ImportStatus.MAPPING:
        raise DataImportError(_("This import has started; its mapping can no longer change."))


@transaction.atomic
def import_configure(
    *,
    batch: ImportBatch,
    by: User,
    kind: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    mapping: list[str] | None = None,
    dedupe: str | None = None,
    date_order: str | None = None,
) -> ImportBatch:
    """Change how the file is read and mapped. A new kind, encoding or sheet reads the
    headers again and maps them afresh; otherwise the given mapping is kept as chosen."""
    ensure_may_import(by)
    _ensure_mapping(batch)
    rereads = (
        (kind is not None and kind != batch.kind)
        or (encoding is not None and encoding != batch.encoding and batch.file_format == "csv")
        or (sheet is not None and sheet != batch.sheet and batch.file_format == "xlsx")
    )
    if rereads:
        _inspect(
            batch,
            kind=kind or batch.kind,
            encoding=batch.encoding if encoding is None else encoding,
            sheet=batch.sheet if sheet is None else sheet,
        )
    elif mapping is not None:
        batch.mapping = _valid_mapping(batch, mapping)
    if dedupe is not None:
        batch.dedupe = dedupe if dedupe in DedupeMode.values else DedupeMode.MERGE
    if date_order is not None and date_order in DateOrder.values:
        batch.date_order = date_order
    batch.save()
    return batch


def mapping_choices(batch: ImportBatch) -> list[tuple[str, str]]:
    """What a column of this import can become: a field, a custom field, a new custom field."""
    choices = [(t.key, str(t.label)) for t in TARGETS[batch.kind]]
    object_type = OBJECT_TYPES[batch.kind]  # type: ignore[index]
    for definition in CustomFieldDefinition.objects.for_type(object_type):
        choices.append(
            (f"{CUSTOM_PREFIX}{definition.key}", f"{definition.label} ({_('custom field')})")
        )
    return choices


def _valid_mapping(batch: ImportBatch, mapping: list[str]) -> list[str]:
    """One target per column, each field once; unknown targets skip the column."""
    allowed = {key for key, _label in mapping_choices(batch)} | {NEW_CUSTOM}
    cleaned: list[str] = []
    for index in range(len(batch.headers)):
        key = mapping[index] if index < len(mapping) else ""
        if key not in allowed or (key in cleaned and key != NEW_CUSTOM):
            key = ""
        cleaned.append(key)
    return cleaned


# --- Preview ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewRow:
    """A row as the import would read it: its line, its values by column, what it would do."""

    line: int
    cells: list[str]
    problem: str
    problem_column: str
    outcome: str


def _context(batch: ImportBatch) -> Context:
    tenant = workspace()
    return Context.build(batch, region=str(tenant.country), currency=str(tenant.currency))


def import_preview(batch: ImportBatch, *, limit: int = 10) -> list[PreviewRow]:
    """The first rows parsed, each with its first problem and what the import would do
    (create, update a match, skip). Reads only: nothing is written, in any mode."""
    context = _context(batch)
    preview: list[PreviewRow] = []
    check_width = batch.file_format == reading.CSV
    with transaction.atomic():
        for row in _data_rows(batch):
            cells = [str(reading.xlsx_cell(c)) if not isinstance(c, str) else c for c in row.cells]
            problem = column = outcome = ""
            try:
                outcome = row_import(context, row.cells, check_width=check_width).action
            except RowError as error:
                problem, column = error.reason, error.column
            preview.append(PreviewRow(row.line, cells, problem, column, outcome))
            if len(preview) >= limit:
                break
        # The rows were applied to show what would happen; none of it stays.
        transaction.set_rollback(True)
    return preview


def _data_rows(batch: ImportBatch) -> Iterator[reading.Row]:
    rows = file_rows(batch)
    next(rows, None)  # the header
    yield from rows


# --- Running -----------------------------------------------------------------------------------


@transaction.atomic
def import_start(*, batch: ImportBatch, by: User) -> ImportBatch:
    """Queue the import: create the custom fields asked for, then hand it to a worker."""
    from onboarding.imports.tasks import import_read_job

    ensure_may_import(by)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _ensure_mapping(batch)
    mapping = list(batch.mapping)
    object_type = OBJECT_TYPES[batch.kind]  # type: ignore[index]
    for index, key in enumerate(mapping):
        if key == NEW_CUSTOM:
            definition = crm.custom_field_create(
                by=by,
                object_type=object_type,
                fields={"label": batch.headers[index][:80], "field_type": FieldType.TEXT},
            )
            mapping[index] = f"{CUSTOM_PREFIX}{definition.key}"
    if not any(mapping):
        raise DataImportError(_("Map at least one column to a field."))
    batch.mapping = mapping
    batch.status = ImportStatus.QUEUED
    batch.heartbeat_at = timezone.now()
    batch.save()
    import_read_job.enqueue(batch_id=batch.pk, dedupe_key=f"imports.read:{batch.pk}")
    return batch


def _fail(batch_id: int, message: str) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportStatus.FAILED, failure=message, finished_at=timezone.now()
    )


def import_fail(batch_id: int, error: BaseException) -> None:
    """An import whose worker gave up after its retries: failed, with a reason to act on
    (the rows already imported stay, and can be undone)."""
    _fail(
        batch_id,
        _("The import stopped after repeated errors (%(error)s). Contact support if it persists.")
        % {"error": type(error).__name__},
    )


def import_read(batch_id: int) -> bool:
    """Read the file into chunks of rows; whether the import can go on.

    Runs again from the start after a crash (the chunks of an unfinished read are replaced).
    The row limit is checked here, before any record is written.
    """
    updated = ImportBatch.objects.filter(
        pk=batch_id, status__in=[ImportStatus.QUEUED, ImportStatus.READING]
    ).update(status=ImportStatus.READING, heartbeat_at=timezone.now(), started_at=timezone.now())
    if not updated:
        return ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.RUNNING).exists()
    try:
        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update(skip_locked=True).filter(pk=batch_id).first()
            )
            if batch is None or batch.status != ImportStatus.READING:
                return False
            parallel = batch.parallel = parallel_chunks(batch)
            planner = ReadPlanner(batch, _context(batch)) if parallel else None
            with planner or contextlib.nullcontext():
                total = _split(batch, planner)
                if planner is not None:
                    planner.finish()
            batch.rows_total = total
            batch.status = ImportStatus.RUNNING
            batch.heartbeat_at = timezone.now()
            batch.save()
            if parallel:
                _chunks_enqueue(batch)
    except DataImportError as error:
        _fail(batch_id, str(error))
        return False
    return True


def import_runs_in_jobs(batch_id: int) -> bool:
    """Whether the import's chunks run as jobs of their own (in parallel)."""
    return ImportBatch.objects.filter(pk=batch_id, parallel=True).exists()


def _chunks_enqueue(batch: ImportBatch) -> None:
    """One job per chunk (they may run at the same time); an import without rows ends here."""
    from onboarding.imports.tasks import import_chunk_job

    indexes = chunk_indexes(batch)
    for index in indexes:
        import_chunk_job.enqueue(
            batch_id=batch.pk, index=index, dedupe_key=f"imports.chunk:{batch.pk}:{index}"
        )
    if not indexes:
        _finish(batch)


def _split(batch: ImportBatch, planner: ReadPlanner | None) -> int:
    """Store the file's data rows in chunks of ``IMPORT_CHUNK_ROWS`` (each row also to the
    ``planner`` of a parallel import); the number of rows."""
    ImportChunk.objects.filter(batch=batch).delete()
    size = int(settings.IMPORT_CHUNK_ROWS)
    limit = int(settings.IMPORT_MAX_ROWS)
    total = index = 0
    pending: list[list[Any]] = []
    for row in _data_rows(batch):
        total += 1
        if total > limit:
            raise DataImportError(
                _("The file has more than %(limit)s data rows. Split it and import each part.")
                % {"limit": f"{limit:,}"}
            )
        pending.append([row.line, row.cells])
        if planner is not None:
            planner.add(row.cells)
        if len(pending) >= size:
            ImportChunk.objects.create(batch=batch, index=index, rows=pending)
            index, pending = index + 1, []
    if pending:
        ImportChunk.objects.create(batch=batch, index=index, rows=pending)
        index += 1
    batch.chunks_total = index
    return total


def parallel_chunks(batch: ImportBatch) -> bool:
    """Whether this import's chunks may run in parallel (contacts, see
    :mod:`onboarding.imports.planning`)."""
    return bool(settings.IMPORT_PARALLEL_CHUNKS) and batch.kind == ImportKind.CONTACTS


def import_run_chunk(batch_id: int) -> bool:
    """Import the next chunk in one transaction with its done mark; whether more remain.

    The import's row is locked for the chunk, so a second worker handed the same import
    (after a stall) waits its turn instead of importing the chunk twice.
    """
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update(skip_locked=True)
            .select_related("created_by")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None or batch.status != ImportStatus.RUNNING or batch.parallel:
            return False
        chunk = (
            batch.chunks.select_for_update().filter(done_at__isnull=True).order_by("index").first()
        )
        if chunk is None:
            _finish(batch)
            return False
        with notification_hooks.muted():  # one "import finished" instead of one per row
            _run_chunk(batch, chunk)
        more = batch.chunks.filter(done_at__isnull=True).exists()
        if not more:
            _finish(batch)
        return more


def _run_chunk(batch: ImportBatch, chunk: ImportChunk) -> None:
    context = _context(batch)
    check_width = batch.file_format == reading.CSV
    counts = {"created": 0, "updated": 0, "duplicate": 0, "skipped": 0, "error": 0}
    errors: list[ImportRowError] = []

    def refuse(line: int, cells: list[Any], error: RowError) -> None:
        counts["error"] += 1
        errors.append(
            ImportRowError(
                batch=batch, line=line, column=error.column[:255], reason=error.reason, cells=cells
            )
        )

    with crm.batch_writes():
        parsed: list[tuple[int, list[Any], ParsedRow]] = []
        for line, cells in chunk.rows:
            try:
                parsed.append((line, cells, parse_row(context, cells, check_width=check_width)))
            except RowError as error:
                refuse(line, cells, error)
        rows = [row for _line, _cells, row in parsed]
        context.company_index = CompanyIndex.load(context, rows)
        if batch.kind == ImportKind.CONTACTS:
            context.contacts = ContactIndex.load(context, rows)
        for line, cells, row in parsed:
            try:
                outcome = row_apply(context, row, line, cells)
            except RowError as error:
                refuse(line, cells, error)
                continue
            if outcome.action in ("created", "updated", "skipped"):
                counts[outcome.action] += 1
            if outcome.duplicate:
                counts["duplicate"] += 1
        pending_flush(context)
    for line, cells, late in context.late_errors:
        counts["created"] -= 1
        refuse(line, cells, late)
    crm.rows_copy(ImportedRecord, list(context.records.values()))
    ImportRowError.objects.bulk_create(sorted(errors, key=lambda e: e.line))
    chunk.done_at = timezone.now()
    chunk.save(update_fields=["done_at"])
    ImportBatch.objects.filter(pk=batch.pk).update(
        rows_done=F("rows_done") + len(chunk.rows),
        chunks_done=F("chunks_done") + 1,
        created_count=F("created_count") + counts["created"],
        updated_count=F("updated_count") + counts["updated"],
        duplicate_count=F("duplicate_count") + counts["duplicate"],
        skipped_count=F("skipped_count") + counts["skipped"],
        error_count=F("error_count") + counts["error"],
        heartbeat_at=timezone.now(),
    )


def import_chunk_run(batch_id: int, index: int) -> None:
    """Import one chunk of a parallel import, then end the import if it was the last.

    The chunk's row is locked for its transaction, which also marks it done, so a second job
    handed the same chunk waits and then finds it done; other chunks run meanwhile. A worker
    killed mid-chunk loses the chunk's transaction and its job runs again after its lease.
    """
    with transaction.atomic():
        batch = ImportBatch.objects.select_related("created_by").filter(pk=batch_id).first()
        if batch is None or batch.status != ImportStatus.RUNNING:
            return
        chunk = (
            ImportChunk.objects.select_for_update()
            .filter(batch_id=batch_id, index=index, done_at__isnull=True)
            .first()
        )
        if chunk is not None:
            with notification_hooks.muted():
                _run_chunk(batch, chunk)
    import_finish_if_complete(batch_id)


def import_finish_if_complete(batch_id: int) -> bool:
    """End a running import whose chunks are all done: exactly once, whoever asks (the
    import's row is locked, and only a running import ends). Whether it ended now."""
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update()
            .select_related("created_by")
            .filter(pk=batch_id, status=ImportStatus.RUNNING)
            .first()
        )
        if batch is None or batch.chunks.filter(done_at__isnull=True).exists():
            return False
        _finish(batch)
        return True


def _unlinked_companies_drop(batch: ImportBatch) -> None:
    """Remove the companies a parallel import created up front that no contact links to in
    the end (their rows were refused or skipped): as the one-after-the-other import, which
    only creates a company for a contact it writes, it leaves no such company behind."""
    notes = ImportedRecord.objects.filter(
        batch=batch, object_type=COMPANY, action=RecordAction.CREATED
    )
    created = Company.objects.filter(pk__in=notes.values("object_id")).order_by("pk")
    # Locked first, then read again: a link another import is adding is seen once committed.
    # Streamed (a server-side cursor), so a file naming 20,000 companies holds none of them.
    for _pk in created.select_for_update().values_list("pk", flat=True).iterator(2000):
        pass
    dropped = []
    for company in created.filter(contact_links__isnull=True).iterator(2000):
        crm.company_delete(company=company, by=batch.created_by)
        dropped.append(company.pk)
    if dropped:
        notes.filter(object_id__in=dropped).delete()


def _finish(batch: ImportBatch) -> None:
    if batch.parallel:
        _unlinked_companies_drop(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.DONE, finished_at=timezone.now(), heartbeat_at=timezone.now()
    )
    # The file and its rows were only needed to run the import; errors keep their own copy.
    ImportChunk.objects.filter(batch=batch).update(rows=[])
    _file_drop(batch)
    _finished_notify(batch)


def _file_drop(batch: ImportBatch) -> None:
    """Drop the stored file without reading it: ``QuerySet.delete()`` fetches every row
    first (for its signals), which here is the whole file, a megabyte per block."""
    table = connection.ops.quote_name(ImportFileBlock._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE batch_id = %s", [batch.pk])  # noqa: S608


def _finished_notify(batch: ImportBatch) -> None:
    """Tell whoever started the import, under their bell (once per import)."""
    from crm.notifications.models import NotificationKind
    from crm.notifications.services import in_language_of, notify

    starter = batch.created_by
    if starter is None or not starter.is_active:
        return
    with in_language_of(starter):
        message = _("Your import of %(file)s has finished.") % {"file": batch.file_name}
    notify(
        recipient=starter,
        kind=NotificationKind.IMPORT_FINISHED,
        message=message,
        url=reverse("import_detail", args=[batch.pk]),
        dedupe_key=f"import:{batch.pk}",
    )


def import_run(batch_id: int, *, seconds: float | None = None) -> bool:
    """Run chunks until none remain or ``seconds`` have passed; whether more remain.

    The chunks of a parallel import run here one after the other, in this process (the
    command, tests); in the workers each is a job of its own (:func:`import_chunk_run`)."""
    if import_runs_in_jobs(batch_id):
        undone = ImportChunk.objects.filter(batch_id=batch_id, done_at__isnull=True)
        for index in undone.order_by("index").values_list("index", flat=True):
            import_chunk_run(batch_id, index)
        import_finish_if_complete(batch_id)
        return False
    started = time.monotonic()
    while import_run_chunk(batch_id):
        if seconds is not None and time.monotonic() - started >= seconds:
            return True
    return False


# --- Results ----------------------------------------------------------------------------------


def import_summary(batch: ImportBatch) -> dict[str, Any]:
    """What the import did, as the command prints it and scripts read it."""
    errors = [
        {"line": e.line, "column": e.column, "reason": e.reason}
        for e in batch.row_errors.order_by("line", "id")
    ]
    return {
        "import": batch.pk,
        "status": batch.status,
        "kind": batch.kind,
        "preset": batch.preset,
        "encoding": batch.encoding,
        "data_rows": batch.rows_total or 0,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "merged_duplicates": batch.duplicate_count,
        "skipped": batch.skipped_count,
        "errors": errors,
        "failure": batch.failure,
    }
