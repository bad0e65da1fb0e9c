"""Fill the search columns of the current workspace schema's records.

Run it for every workspace after a deployment during which the previous release kept
writing records without search columns, or with ``--every-row`` after the way they are
computed changed::

    manage.py all_tenants_command search_backfill
    manage.py tenant_command search_backfill --schema=t_… --every-row
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from crm.models import Company, Contact, Deal, Lead
from crm.services.search import search_backfill


class Command(BaseCommand):
    help = "Fill the search columns of this workspace's contacts, companies, leads and deals."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every-row",
            action="store_true",
            help="recompute every row, not only rows without search columns",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        schema = getattr(connection, "schema_name", "public")
        if schema == "public":
            self.stderr.write("Run it in a workspace schema (tenant_command, all_tenants_command).")
            return
        for model in (Contact, Company, Lead, Deal):
            written = search_backfill(model, every_row=options["every_row"])
            self.stdout.write(f"{schema}: {written} {model._meta.verbose_name_plural}")
