"""The download of a list: streamed CSV, or an Excel file, through the lists' exporter.

One response for every list that exports (records, cases, campaigns, segment members), so
the cells stay formula-safe, the rows are read in chunks inside the workspace's schema
whichever schema the connection is on when the server pulls the stream, and nothing is cached.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django_tenants.utils import schema_context

from crm.selectors.exports import export_lines, export_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(
    queryset: Any,
    *,
    kind: str,
    order: Any,
    name: str,
    definitions: Any = (),
    xlsx_title: str = "",
) -> FileResponse | StreamingHttpResponse:
    """``name-<date>.csv`` (streamed), or ``.xlsx`` when ``xlsx_title`` names the sheet."""
    stamp = timezone.localdate().isoformat()
    definitions = list(definitions)
    if xlsx_title:
        workbook = export_xlsx(
            queryset, kind=kind, order=order, definitions=definitions, sheet_title=xlsx_title
        )
        excel = FileResponse(
            workbook, as_attachment=True, filename=f"{name}-{stamp}.xlsx", content_type=XLSX
        )
        excel["Cache-Control"] = "no-store"
        return excel
    schema = connection.schema_name  # type: ignore[attr-defined]

    def lines() -> Iterator[str]:
        with schema_context(schema):
            yield from export_lines(queryset, kind=kind, order=order, definitions=definitions)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
