"""Billing's error type: a :class:`WorkspaceError` with a message the customer can act on."""

from tenants.errors import WorkspaceError


class BillingError(WorkspaceError):
    """A billing operation that cannot be done as asked (e.g. no seat left on the plan)."""
