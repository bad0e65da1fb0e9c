"""The importer's domain error: a message a user can act on."""

from __future__ import annotations

from core.errors import DomainError


class DataImportError(DomainError):
    """The file or the import cannot go on as asked; ``str(error)`` says what to do."""
