"""The CRM's one domain error: a message a user can act on."""

from __future__ import annotations

from core.errors import DomainError


class CrmError(DomainError):
    """A business rule refused the change; ``str(error)`` is shown to the user."""
