"""Helpers of the automation tests: making rules and running the jobs they record."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from core.jobs.models import Job, JobStatus
from core.jobs.services import job_run
from crm.automation.models import Rule


def run_jobs(prefix: str = "automation.", *, rounds: int = 10) -> list[str]:
    """Run the waiting, due jobs whose handler starts with ``prefix`` (and those they record)."""
    outcomes: list[str] = []
    for _ in range(rounds):
        due = list(
            Job.objects.filter(
                status=JobStatus.PENDING,
                handler__startswith=prefix,
                available_at__lte=timezone.now(),
            ).order_by("pk")
        )
        if not due:
            break
        outcomes += [job_run(job_id=job.pk) for job in due]
    return outcomes


def waiting(handler: str) -> list[Job]:
    return list(Job.objects.filter(handler=handler, status=JobStatus.PENDING).order_by("pk"))


@pytest.fixture
def make_rule(admin: Any):
    """``make_rule(object_type=..., trigger=..., actions=[...], **fields)``."""

    def make(**fields: Any) -> Rule:
        values: dict[str, Any] = {
            "name": "Rule",
            "object_type": "contact",
            "trigger": "created",
            "actions": [{"kind": "add_tag", "tag": "auto"}],
            "created_by": admin,
        }
        values.update(fields)
        return Rule.objects.create(**values)

    return make
