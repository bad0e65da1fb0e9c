"""The guided start's one domain error: a message the admin can act on."""

from __future__ import annotations

from core.errors import DomainError


class OnboardingError(DomainError):
    """A guided-start action that cannot be done as asked; ``str(error)`` is shown."""
