"""Rules one app enforces for another that may not import it.

``tenants`` (users, invitations) must respect the plan's seat limit, but billing sits above
tenants in the layers. Billing registers its policy here when its app is ready; without
billing every workspace has unlimited seats.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class SeatPolicy(Protocol):
    def ensure_available(self, *, reserve_pending: bool = False) -> None:
        """Raise a ``DomainError`` when the current workspace has no seat left."""

    def changed(self) -> None:
        """The number of active users of the current workspace changed."""


class UnlimitedSeats:
    def ensure_available(self, *, reserve_pending: bool = False) -> None:
        return None

    def changed(self) -> None:
        return None


_seat_policy: SeatPolicy = UnlimitedSeats()


def seat_policy() -> SeatPolicy:
    return _seat_policy


def seat_policy_set(policy: SeatPolicy) -> None:
    global _seat_policy
    _seat_policy = policy


class WorkspaceSettings(Protocol):
    """What core needs to know of the workspace the connection is in."""

    language: str
    time_zone: str
    country: str
    currency: str


def _no_workspace() -> WorkspaceSettings | None:
    return None


_workspace_lookup: Callable[[], WorkspaceSettings | None] = _no_workspace


def current_workspace() -> WorkspaceSettings | None:
    """The workspace whose schema the connection is in (its language, time zone, country and
    base currency), or ``None`` on the public schema. ``tenants`` registers the lookup."""
    return _workspace_lookup()


def workspace_lookup_set(lookup: Callable[[], WorkspaceSettings | None]) -> None:
    global _workspace_lookup
    _workspace_lookup = lookup


class WritePolicy(Protocol):
    def read_only_tenant_ids(self, tenant_ids: list[int]) -> set[int]:
        """Which of these workspaces may not be written to now (e.g. billing's read-only)."""


class AlwaysWritable:
    def read_only_tenant_ids(self, tenant_ids: list[int]) -> set[int]:
        return set()


_write_policy: WritePolicy = AlwaysWritable()


def write_policy() -> WritePolicy:
    """Billing registers the read-only state of workspaces here (periodic work skips them)."""
    return _write_policy


def write_policy_set(policy: WritePolicy) -> None:
    global _write_policy
    _write_policy = policy
