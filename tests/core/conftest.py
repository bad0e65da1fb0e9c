"""Fixtures of the core tests: the ops console, the public host, and jobs published."""

import pytest

from core.jobs import dispatch
from core.jobs.models import Job
from tests.billing.conftest import ops_client, public_client, staff

__all__ = ["ops_client", "public_client", "published", "staff"]


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the jobs the dispatcher publishes, in order (nothing reaches the broker)."""
    ids: list[int] = []

    def publish(job: Job, countdown: float = 0) -> bool:
        ids.append(job.pk)
        return True

    monkeypatch.setattr(dispatch, "_publish", publish)
    return ids
