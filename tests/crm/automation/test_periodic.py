"""Beat hands rule and care work only to active, writable workspaces (tenants.periodic)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from core.jobs.models import Job
from tenants.models import Tenant, TenantStatus
from tenants.periodic import periodic_dispatch


@pytest.mark.parametrize("handler", ["automation.rules_hourly", "automation.care_touches"])
def test_beat_skips_inactive_workspaces(alpha, beta, handler: str) -> None:
    with schema_context("public"):
        Tenant.objects.filter(pk=beta.tenant.pk).update(status=TenantStatus.SUSPENDED)
        periodic_dispatch(handler=handler, writes=True, spread_seconds=0)
        workspaces = set(Job.objects.filter(handler=handler).values_list("workspace", flat=True))
    assert alpha.schema in workspaces
    assert beta.schema not in workspaces


def test_the_daily_care_job_runs_in_its_workspace(alpha, beta) -> None:
    from core.jobs.services import job_run
    from crm.automation.models import CareTouch

    with schema_context("public"):
        periodic_dispatch(handler="automation.care_touches", writes=True, spread_seconds=0)
        job = Job.objects.get(handler="automation.care_touches", workspace=alpha.schema)
        assert job_run(job_id=job.pk) == "done"
    with schema_context(alpha.schema):
        assert CareTouch.objects.count() == 0  # nothing turned on: nothing made, nothing set up
