"""The plan of a parallel contact import, made while its file is read into chunks.

Chunks of one contact import run in parallel, so they must not depend on each other: every
row that may be the same person as an earlier row moves into that row's chunk
(:mod:`onboarding.imports.grouping`; the rows of a chunk stay in file order), and the
companies and tags the file names are found or created here, once, in file order, so two
chunks never race to create the same one. All of it runs in the read step's transaction.

Memory stays flat in the file size: the reader holds one chunk's rows, the plan keeps 8
bytes per key of each row read so far (each row's names wait in a temporary file), and the
companies are created in batches of :data:`COMPANY_BATCH` distinct names (each batch reads
the existing companies it names, three columns each, and so finds those made before it).
"""

from __future__ import annotations

import json
import tempfile
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from core.errors import DomainError
from crm import services as crm
from onboarding.imports import grouping, reading, values
from onboarding.imports.models import ImportBatch, ImportedRecord
from onboarding.imports.rows import (
    CompanyIndex,
    ContactIndex,
    Context,
    ParsedRow,
    RowError,
    companies_flush,
    company_for,
    parse_row,
    tags_for,
)

#: Companies named (with the e-mail domain they may be found by) handled at a time while the
#: file is read: bounds the rows held; each batch reads the existing companies it names.
COMPANY_BATCH = 5_000
#: What finding a company needs of the existing ones.
COMPANY_FIELDS = ("id", "name", "domain")

CompanyKey = tuple[str, str, str, str]


class ReadPlanner:
    """Reads each row's identity, company and tag columns as the file is read (:meth:`add`),
    then creates what is left and moves rows between chunks (:meth:`finish`)."""

    def __init__(self, batch: ImportBatch, context: Context) -> None:
        context.mapping = [key if key in grouping.KEY_TARGETS else "" for key in context.mapping]
        self.batch = batch
        self.context = context
        self.check_width = batch.file_format == reading.CSV
        self.groups = grouping.Groups()
        self.companies: dict[CompanyKey, ParsedRow] = {}
        self.tags: dict[str, str] = {}
        #: Each row's names and e-mail, one JSON line per row, for the name-only rows'
        #: pass (:meth:`finish`): spooled to a temporary file, not held in memory.
        self.names = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115

    def __enter__(self) -> ReadPlanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.names.close()  # the temporary file goes, whether the read ended or failed

    def _parsed(self, cells: list[Any]) -> ParsedRow | None:
        try:
            return parse_row(self.context, cells, check_width=self.check_width)
        except RowError:
            return None  # refused by its chunk, wherever it is: it has no keys

    def add(self, cells: list[Any]) -> None:
        """The next row of the file."""
        parsed = self._parsed(cells)
        keys = grouping.RowKeys(())
        if parsed is not None:
            keys = grouping.row_keys(parsed, region=self.context.region)
        self.groups.add(keys)
        self.names.write(json.dumps([keys.first_name, keys.last_name, *keys.emails]) + "\n")
        if parsed is None:
            return
        _company_named(self.companies, parsed)
        if len(self.companies) >= COMPANY_BATCH:
            self._companies_create()
        for tag in parsed.tags:
            self.tags.setdefault(tag.strip().casefold(), tag)

    def finish(self) -> None:
        """Create the companies and tags left, then move the rows (all chunks are written)."""
        self._companies_create()
        with crm.batch_writes():
            tags_for(self.context, list(self.tags.values()))
        if self.groups.searched:  # rows whose contact a name-only row would find join it
            self.names.seek(0)
            for position, line in enumerate(self.names):
                first, last, *emails = json.loads(line)
                keys = grouping.RowKeys((), first_name=first, last_name=last, emails=tuple(emails))
                self.groups.join_names(position, keys)
        chunk_size = int(settings.IMPORT_CHUNK_ROWS)
        _move_rows(self.batch, self.groups.moves(chunk_rows=chunk_size), chunk_size)

    def _companies_create(self) -> None:
        """Find or create the companies noted so far, in file order (as the chunks would)."""
        rows, self.companies = list(self.companies.values()), {}
        if not rows:
            return
        context = self.context
        context.contacts = ContactIndex()  # hold new companies for one bulk insert
        # An index per batch, not one for the whole file: it would hold every company the
        # file names (+18 MB at 200k rows for a read 5 s shorter); memory stays flat.
        context.company_index = CompanyIndex()
        context.company_index.extend(context, rows, only=COMPANY_FIELDS)
        context.companies, context.records = {}, {}
        with crm.batch_writes():
            for parsed in rows:
                try:
                    company_for(context, parsed, email=str(parsed.fields.get("email", "")))
                except (ValidationError, DomainError, IntegrityError):
                    continue  # the row's chunk finds the same problem and reports it
            companies_flush(context)
        crm.rows_copy(ImportedRecord, list(context.records.values()))
        context.records = {}


def chunk_indexes(batch: ImportBatch) -> list[int]:
    return list(batch.chunks.order_by("index").values_list("index", flat=True))


def chunk_rows(batch: ImportBatch, index: int) -> list[Any]:
    return list(batch.chunks.filter(index=index).values_list("rows", flat=True).get())


def _company_named(companies: dict[CompanyKey, ParsedRow], row: ParsedRow) -> None:
    """Note the company a row names (what :func:`company_for` needs of it), once each."""
    if not (row.company or row.company_domain or row.company_source_id):
        return
    email = str(row.fields.get("email", "") or "")
    domain = values.company_domain_of_email(email) if row.company else ""
    key = (row.company, row.company_domain, row.company_source_id, domain)
    if key not in companies:
        companies[key] = ParsedRow(
            fields={"email": email},
            company=row.company,
            company_domain=row.company_domain,
            company_source_id=row.company_source_id,
        )


def _move_rows(batch: ImportBatch, moves: dict[int, int], size: int) -> None:
    """Move rows into earlier chunks (``moves``: row position in the file → chunk index).
    Chunks still hold the file's rows in order, ``size`` each."""
    if not moves:
        return
    arriving: dict[int, list[Any]] = {}
    for index in sorted({position // size for position in moves}):
        rows = chunk_rows(batch, index)
        kept = []
        for offset, row in enumerate(rows):
            target = moves.get(index * size + offset)
            if target is None:
                kept.append(row)
            else:
                arriving.setdefault(target, []).append(row)
        batch.chunks.filter(index=index).update(rows=kept)
    for index, rows in arriving.items():
        merged = sorted([*chunk_rows(batch, index), *rows], key=lambda row: int(row[0]))
        batch.chunks.filter(index=index).update(rows=merged)
