"""The one error type tenancy services raise, with a message a person can act on."""


class WorkspaceError(Exception):
    """A workspace operation that cannot be done as asked."""
