"""The one error type tenancy services raise, with a message a person can act on."""

from core.errors import DomainError


class WorkspaceError(DomainError):
    """A workspace operation that cannot be done as asked."""
