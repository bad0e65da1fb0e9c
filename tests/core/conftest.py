"""Fixtures of the core tests: the ops console (its staff and a signed-in client)."""

from tests.billing.conftest import ops_client, staff

__all__ = ["ops_client", "staff"]
