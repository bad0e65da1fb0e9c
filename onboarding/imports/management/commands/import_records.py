"""Import a file into a workspace from the command line (provider ops, scripts).

The same path as the web importer: the file is stored, read, mapped (by its preset or
headers), split into chunks and imported through the CRM's services; the command runs the
chunks itself instead of a worker. Ends with a JSON summary on standard output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import schema_context

from core.errors import DomainError
from onboarding.imports import services
from onboarding.imports.mapping import PRESETS_BY_KEY, auto_map
from onboarding.imports.models import DedupeMode, ImportKind
from tenants.models import Tenant
from tenants.users.models import Role, User


class DryRunRollbackError(Exception):
    """Raised at the end of a dry run so that everything it wrote is rolled back."""


class Command(BaseCommand):
    help = "Import a CSV or XLSX file into a workspace and print a JSON summary."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--schema", required=True, help="the workspace's schema name")
        parser.add_argument("--file", required=True, help="the CSV or XLSX file")
        parser.add_argument("--kind", choices=[*ImportKind.values, services.AUTO], default="auto")
        parser.add_argument("--preset", choices=sorted(PRESETS_BY_KEY), default=None)
        parser.add_argument("--dedupe", choices=DedupeMode.values, default=DedupeMode.MERGE)
        parser.add_argument("--encoding", default="", help="overrides the detected encoding")
        parser.add_argument("--sheet", default="", help="XLSX: the sheet (the first by default)")
        parser.add_argument("--by", default="", help="e-mail of the importing user (an admin)")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would happen; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        tenant = Tenant.objects.filter(schema_name=options["schema"]).first()
        if tenant is None or tenant.is_public:
            raise CommandError(f"No workspace with schema {options['schema']!r}")
        with schema_context(tenant.schema_name):
            connection_tenant(tenant)
            try:
                summary = self._import(path, options)
            except DomainError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))

    def _user(self, email: str) -> User:
        users = User.objects.filter(is_active=True)
        user = users.filter(email__iexact=email).first() if email else None
        user = user or users.filter(role=Role.ADMIN).order_by("pk").first()
        if user is None:
            raise CommandError("The workspace has no active admin to import as (use --by).")
        return user

    def _import(self, path: Path, options: dict[str, Any]) -> dict[str, Any]:
        summary: dict[str, Any] = {}
        try:
            with transaction.atomic():
                summary = self._run(path, options)
                if options["dry_run"]:
                    raise DryRunRollbackError
        except DryRunRollbackError:
            summary["dry_run"] = True
        return summary

    def _run(self, path: Path, options: dict[str, Any]) -> dict[str, Any]:
        by = self._user(options["by"])
        preset = PRESETS_BY_KEY.get(options["preset"] or "")
        kind = preset.kind if preset is not None else options["kind"]
        with path.open("rb") as stream:
            batch = services.import_upload(
                by=by,
                stream=stream,
                file_name=path.name,
                size=path.stat().st_size,
                kind=kind,
                encoding=options["encoding"],
                sheet=options["sheet"],
            )
        if preset is not None:
            batch.preset, batch.source = preset.key, preset.source
            batch.mapping = auto_map(batch.headers, batch.kind, preset=preset)
            batch.save()
        services.import_configure(batch=batch, by=by, dedupe=options["dedupe"])
        services.import_start(batch=batch, by=by)
        if services.import_read(batch.pk):
            services.import_run(batch.pk)
        batch.refresh_from_db()
        return services.import_summary(batch)


def connection_tenant(tenant: Tenant) -> None:
    """Let code that reads ``connection.tenant`` (plan features) see the workspace."""
    from django.db import connection

    connection.set_tenant(tenant)  # type: ignore[attr-defined]
