"""Bring the platform to a usable state: public tenant, template schema, tenant migrations."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from onboarding.demo import demo_workspace_ensure, ops_staff_ensure
from tenants.migration_executor import existing_schemas
from tenants.models import Tenant
from tenants.pool import pool_refill
from tenants.schema_state import schemas_behind
from tenants.selectors import public_url
from tenants.services import public_tenant_ensure, template_ensure


class Command(BaseCommand):
    help = (
        "Ensure the public tenant and the template schema, migrate behind workspaces, "
        "fill the signup pool."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--demo", action="store_true", help="Also create the demo workspace.")

    def handle(self, *args: Any, demo: bool = False, **options: Any) -> None:
        public_tenant_ensure()
        template_ensure()
        tenant_schemas = list(
            Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True)
        )
        behind = schemas_behind(existing_schemas(tenant_schemas))
        if behind:
            self.stdout.write(f"Migrating {len(behind)} workspace schema(s)…")
            call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        added = pool_refill()
        if added:
            self.stdout.write(f"Added {added} ready workspace schema(s) to the signup pool.")
        if demo:
            access = demo_workspace_ensure()
            ops_email = ops_staff_ensure()
            self.stdout.write(self.style.SUCCESS(f"Demo workspace: {access.url}"))
            self.stdout.write(f"  sign in as {access.email} / {access.password}")
            self.stdout.write(f"Provider ops: {public_url('/ops/')}")
            self.stdout.write(f"  sign in as {ops_email} / {access.password}")
