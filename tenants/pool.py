"""The warm pool: ready, migrated, unclaimed workspace schemas, so a signup never waits for DDL.

Pooled schemas are real tenant rows (status ``pooled``) so every ``migrate_schemas`` keeps
them current. A signup claims one with ``SELECT … FOR UPDATE SKIP LOCKED`` (two signups never
get the same schema); a worker refills the pool in the background.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from tenants.models import Tenant, TenantStatus
from tenants.services import generate_schema_name, schema_drop, schema_populate

#: Session-level advisory lock id serialising pool refills across workers.
POOL_REFILL_LOCK_ID = 7_130_001


def pooled_count() -> int:
    return Tenant.objects.filter(status=TenantStatus.POOLED).count()


def pool_tenant_create() -> Tenant:
    """Add one ready, unclaimed schema to the pool (a real tenant row, so it is migrated)."""
    tenant = Tenant.objects.create(
        schema_name=generate_schema_name(), name="", status=TenantStatus.PROVISIONING
    )
    try:
        schema_populate(tenant=tenant)
    except Exception:
        Tenant.objects.filter(pk=tenant.pk).delete()
        schema_drop(tenant.schema_name)
        raise
    tenant.status = TenantStatus.POOLED
    tenant.save(update_fields=["status", "updated_at"])
    return tenant


def pool_refill(*, target: int | None = None, limit: int | None = None) -> int:
    """Top the pool up to ``target`` (``TENANT_POOL_SIZE``), adding at most ``limit`` schemas.

    Returns how many were added.

    An advisory lock keeps two workers from overfilling it; the loser simply returns 0.
    """
    wanted = settings.TENANT_POOL_SIZE if target is None else target
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [POOL_REFILL_LOCK_ID])
        if not cursor.fetchone()[0]:
            return 0
    try:
        added = 0
        while pooled_count() < wanted and (limit is None or added < limit):
            pool_tenant_create()
            added += 1
        return added
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [POOL_REFILL_LOCK_ID])


def pool_claim() -> Tenant | None:
    """Take the oldest pooled schema for a signup (inside the caller's transaction), or
    ``None`` when the pool is empty. Concurrent claims skip each other's locked rows."""
    return (
        Tenant.objects.select_for_update(skip_locked=True)
        .filter(status=TenantStatus.POOLED)
        .order_by("created_at")
        .first()
    )


def pool_orphans_clean(*, older_than_seconds: int) -> tuple[int, int]:
    """Pooled schemas whose creation died (worker killed mid-clone): finish or remove them.

    A pool row being created is ``provisioning`` without an address. When no refill holds the
    advisory lock, such a row older than ``older_than_seconds`` is an orphan: a complete schema
    joins the pool, anything else is dropped with its row, and the pool is refilled normally.
    Returns ``(found, fixed)``.
    """
    from datetime import timedelta

    from django.utils import timezone
    from django_tenants.utils import schema_exists

    from tenants.schema_state import schemas_behind

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    orphans = list(
        Tenant.objects.filter(
            status=TenantStatus.PROVISIONING, slug__isnull=True, updated_at__lt=cutoff
        )
    )
    if not orphans:
        return 0, 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [POOL_REFILL_LOCK_ID])
        if not cursor.fetchone()[0]:
            return len(orphans), 0  # a refill is running right now; look again next sweep
    fixed = 0
    try:
        for tenant in orphans:
            if schema_exists(tenant.schema_name) and not schemas_behind([tenant.schema_name]):
                Tenant.objects.filter(pk=tenant.pk).update(
                    status=TenantStatus.POOLED, updated_at=timezone.now()
                )
            else:
                schema_drop(tenant.schema_name)
                Tenant.objects.filter(pk=tenant.pk).delete()
            fixed += 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [POOL_REFILL_LOCK_ID])
    return len(orphans), fixed
