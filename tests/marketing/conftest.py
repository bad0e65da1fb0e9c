"""Marketing test fixtures: the CRM's users and clients (alpha), the body in alpha's schema."""

from __future__ import annotations

from tests.crm.conftest import (  # noqa: F401 -- fixtures shared with the CRM tests
    admin,
    client_as,
    crm,
    manager,
    other_rep,
    reader,
    rep,
)
