"""The one domain error type every Rapport app raises, with a message a person can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused what was asked; ``str(error)`` is shown to the user.

    ``status_code`` is the HTTP status a view answers with when the error reaches the
    request boundary uncaught (see :class:`core.middleware.DomainErrorMiddleware`).
    """

    status_code = 400
