"""Periodic work per workspace: one job per workspace, spread over a window with jitter.

Beat asks once (``tenants.periodic_dispatch``); the rows are written in one statement, each
``available_at`` a random moment within ``spread_seconds``, and the jobs go out as they fall
due (the bulk dispatcher, fair by workspace, or the sweeper for other queues). A dedupe key
per handler, workspace and window keeps a second beat tick (two beats, a restart) from
doubling the work.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from core.jobs.dispatch import jobs_dispatch_on_commit
from core.jobs.models import Job, JobQueue
from core.jobs.registry import JobHandler, handler_get


@transaction.atomic
def periodic_jobs_enqueue(
    *, handler: JobHandler | str, schema_names: Sequence[str], spread_seconds: int, window: str
) -> int:
    """One job of ``handler`` for each workspace schema, due at a random moment of the spread.

    ``window`` names the period (e.g. ``2025-06-01``) so each workspace gets one job per
    period however often this is called. Returns how many jobs were recorded.
    """
    spec = handler if isinstance(handler, JobHandler) else handler_get(handler)
    now = timezone.now()
    public = get_public_schema_name()
    jobs = [
        Job(
            queue=spec.queue,
            handler=spec.name,
            schema_name=schema if spec.tenant else public,
            workspace=schema,
            kwargs={},
            dedupe_key=f"periodic:{spec.name}:{schema}:{window}",
            max_attempts=spec.max_attempts,
            available_at=now + timedelta(seconds=random.uniform(0, max(0, spread_seconds))),  # noqa: S311 -- jitter
        )
        for schema in schema_names
    ]
    created = Job.objects.bulk_create(jobs, batch_size=1000, ignore_conflicts=True)
    if spec.queue == JobQueue.BULK:
        jobs_dispatch_on_commit([], bulk=True)
    return len(created)
