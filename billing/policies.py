"""Billing's rules for the layers below it, registered in :mod:`core.policies` at start-up."""

from __future__ import annotations

from billing.services import seat_ensure_available, seats_changed
from tenants.selectors import current_tenant


class PlanSeatPolicy:
    """Active users (and, when inviting, pending invitations) count against the plan."""

    def ensure_available(self, *, reserve_pending: bool = False) -> None:
        seat_ensure_available(tenant=current_tenant(), reserve_pending=reserve_pending)

    def changed(self) -> None:
        seats_changed(tenant=current_tenant())


class BillingWritePolicy:
    """Workspaces whose subscription made them read-only (trial over, unpaid, canceled)."""

    def read_only_tenant_ids(self, tenant_ids: list[int]) -> set[int]:
        from billing.models import Subscription
        from billing.selectors import billing_access

        subscriptions = Subscription.objects.filter(tenant_id__in=tenant_ids)
        return {
            subscription.tenant_id
            for subscription in subscriptions
            if billing_access(subscription).read_only
        }
