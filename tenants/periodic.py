"""Which workspaces get periodic work, and handing it out (beat → ``tenants.periodic_dispatch``).

Only active workspaces: never pooled or template schemas (nobody's data), provisioning or
failed ones (not there yet), suspended or closed ones (nobody may use them). Work that
writes also skips workspaces billing made read-only (``core.policies.write_policy``).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from core.jobs.periodic import periodic_jobs_enqueue
from core.policies import write_policy
from tenants.models import Tenant, TenantStatus


def periodic_workspaces(*, writes: bool) -> list[str]:
    """Schema names of the workspaces periodic work runs for (see the module docstring)."""
    rows = list(
        Tenant.objects.filter(status=TenantStatus.ACTIVE)
        .exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .order_by("pk")
        .values_list("pk", "schema_name")
    )
    if writes:
        read_only = write_policy().read_only_tenant_ids([pk for pk, _schema in rows])
        rows = [(pk, schema) for pk, schema in rows if pk not in read_only]
    return [schema for _pk, schema in rows]


def periodic_dispatch(*, handler: str, writes: bool, spread_seconds: int | None = None) -> int:
    """Record today's job of ``handler`` for every eligible workspace, spread with jitter."""
    spread = settings.JOB_PERIODIC_SPREAD_SECONDS if spread_seconds is None else spread_seconds
    return periodic_jobs_enqueue(
        handler=handler,
        schema_names=periodic_workspaces(writes=writes),
        spread_seconds=spread,
        window=timezone.now().strftime("%Y-%m-%dT%H"),
    )
