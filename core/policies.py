"""Rules one app enforces for another that may not import it.

``tenants`` (users, invitations) must respect the plan's seat limit, but billing sits above
tenants in the layers. Billing registers its policy here when its app is ready; without
billing every workspace has unlimited seats.
"""

from __future__ import annotations

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
