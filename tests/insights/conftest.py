"""Insights fixtures: the CRM's role users (alpha's schema) and a hand-computed sales history."""

from __future__ import annotations

from tests.crm.conftest import admin, client_as, crm, manager, other_rep, reader, rep  # noqa: F401
