"""Fixtures of the core tests: the ops console and the public host."""

from tests.billing.conftest import ops_client, public_client, staff

__all__ = ["ops_client", "public_client", "staff"]
