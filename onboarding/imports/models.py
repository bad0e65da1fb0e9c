"""Imports of spreadsheets and other CRMs' exports, kept in the workspace's schema.

PostgreSQL holds everything an import needs to go on after a worker dies: the uploaded file
(in blocks), the rows split into chunks (each marked done in the same transaction as the
records it wrote), the errors by line, and what each imported record was before, for undo.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    CONTACTS = "contacts", _("Contacts")
    COMPANIES = "companies", _("Companies")
    LEADS = "leads", _("Leads")
    DEALS = "deals", _("Deals")


class ImportStatus(models.TextChoices):
    #: Uploaded; the columns are being mapped and the preview checked. Nothing written yet.
    MAPPING = "mapping", _("Mapping columns")
    QUEUED = "queued", _("Waiting for a worker")
    #: The file is being read into chunks (row count checked before any record is written).
    READING = "reading", _("Reading the file")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    UNDOING = "undoing", _("Undoing")
    UNDONE = "undone", _("Undone")


class DedupeMode(models.TextChoices):
    """What a row that matches an existing record (or an earlier row) does."""

    MERGE = "merge", _("Merge: fill the existing record's empty fields")
    OVERWRITE = "overwrite", _("Merge: overwrite the existing record's fields")
    SKIP = "skip", _("Skip the row")
    CREATE = "create", _("Create a new record anyway")


class DateOrder(models.TextChoices):
    """How a date like 3/7/1985 reads; year-first dates (1985/3/7) are never ambiguous."""

    DAY_FIRST = "dmy", _("Day first (7 March for 7/3/1985)")
    MONTH_FIRST = "mdy", _("Month first (March 7 for 3/7/1985)")


class ImportBatch(models.Model):
    """One file brought into the workspace: its reading, mapping, progress and outcome."""

    kind = models.CharField(_("records"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.MAPPING
    )
    file_name = models.CharField(_("file"), max_length=255)
    file_size = models.BigIntegerField(_("size"), default=0)
    #: ``csv`` or ``xlsx``.
    file_format = models.CharField(max_length=10)
    #: The encoding rows are read with (detected, or chosen by the user); empty for XLSX.
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    detected_encoding = models.CharField(max_length=40, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    sheets: models.JSONField[list[str], list[str]] = models.JSONField(default=list, blank=True)
    headers: models.JSONField[list[str], list[str]] = models.JSONField(default=list, blank=True)
    #: The target of each column, in the order of ``headers`` ("" skips the column).
    mapping: models.JSONField[list[str], list[str]] = models.JSONField(default=list, blank=True)
    #: The export format recognised (``hubspot_contacts``…), or empty.
    preset = models.CharField(_("format"), max_length=40, blank=True)
    #: The system whose ids the file carries (``salesforce``…, ``file`` otherwise).
    source = models.CharField(max_length=40, default="file")
    dedupe = models.CharField(
        _("when a row matches an existing record"),
        max_length=20,
        choices=DedupeMode.choices,
        default=DedupeMode.MERGE,
    )
    date_order = models.CharField(
        _("dates like 3/7/1985"),
        max_length=3,
        choices=DateOrder.choices,
        default=DateOrder.DAY_FIRST,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    #: Last sign of life of the worker running it. Resuming a stalled import is the job
    #: lease's business (``core/jobs``): nothing looks imports up by it, so it has no index.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("data rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    #: Whether the chunks run in parallel, one job each (decided when the file is read).
    parallel = models.BooleanField(default=False)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    duplicate_count = models.PositiveIntegerField(_("merged duplicates"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    #: Why the import stopped, for the user (a failed import wrote nothing or resumes).
    failure = models.TextField(blank=True)
    #: What undo removed, restored and kept (with why): counts and the kept records.
    undo_summary: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        default=dict, blank=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("import_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        """A worker has it (or will): the page keeps polling its progress."""
        return self.status in (
            ImportStatus.QUEUED,
            ImportStatus.READING,
            ImportStatus.RUNNING,
            ImportStatus.UNDOING,
        )

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.DONE, ImportStatus.UNDONE):
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(self.rows_done * 100 / self.rows_total))


class ImportFileBlock(models.Model):
    """A piece of the uploaded file: files are stored and read a block at a time."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="blocks")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "index"], name="imports_block_unique")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.index}"


class ImportChunk(models.Model):
    """A run of data rows, imported in one transaction that also marks the chunk done.

    ``rows`` holds ``[line, cells]`` pairs: the line a person counts in a text editor (the
    Excel row for XLSX) and the cells as read.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    rows: models.JSONField[list[Any], list[Any]] = models.JSONField(default=list)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "index"], name="imports_chunk_unique")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.index}"


class ImportRowError(models.Model):
    """A row that was not imported: where it is in the file, which column, and why."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField(_("line"))
    column = models.CharField(_("column"), max_length=255, blank=True)
    reason = models.TextField(_("reason"))
    #: The row as read, for the error file the user fixes and imports again.
    cells: models.JSONField[list[Any], list[Any]] = models.JSONField(default=list)

    class Meta:
        ordering = ["line", "id"]
        indexes = [models.Index(fields=["batch", "line"], name="imports_error_line_idx")]

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"


class RecordAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    LINKED = "linked", _("Linked")


class ImportedRecord(models.Model):
    """A record an import created, updated or linked: what undo removes or restores.

    ``before`` holds the fields an update changed, as they were; ``updated_at`` the record's
    own time stamp right after the import, so undo can tell whether anyone changed it since.
    For a link, ``object_id`` is the contact–company role row.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records")
    object_type = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=RecordAction.choices)
    before: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        default=dict, blank=True
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["batch", "id"], name="imports_record_batch_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id}"


class SourceRecord(models.Model):
    """A record's id in the system it came from (Salesforce ``Id``, HubSpot ``Record ID``…).

    Importing the same export again updates the record instead of duplicating it, and files
    that refer to each other by these ids are linked whichever is imported first.
    """

    source = models.CharField(max_length=40)
    object_type = models.CharField(max_length=20)
    source_id = models.CharField(max_length=255)
    object_id = models.BigIntegerField()
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "object_type", "source_id"], name="imports_source_unique"
            )
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="imports_source_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.object_type}:{self.source_id}"


class PendingReference(models.Model):
    """A link to a record of another file not imported yet (a contact's ``AccountId``).

    Resolved when a record with that source id arrives, in whichever import brings it.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=40)
    from_type = models.CharField(max_length=20)
    from_id = models.BigIntegerField()
    to_type = models.CharField(max_length=20)
    to_source_id = models.CharField(max_length=255)

    class Meta:
        indexes = [
            models.Index(
                fields=["source", "to_type", "to_source_id"], name="imports_pending_target_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_type} {self.from_id} → {self.to_type} {self.to_source_id}"
