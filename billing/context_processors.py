"""Template context about the workspace's plan, read from what the billing middleware loaded."""

from __future__ import annotations

from django.http import HttpRequest

from billing.features import FEATURES
from billing.selectors import BillingAccess


def features(request: HttpRequest) -> dict[str, dict[str, bool]]:
    """``features_enabled.<key>``: whether the plan includes each feature (menus, upgrade
    badges). Unbilled workspaces have every feature; the public site gets nothing."""
    access = getattr(request, "billing", None)
    if access is None:
        return {}
    subscription = access.subscription
    plan = subscription.plan if subscription is not None else None
    return {"features_enabled": {key: plan is None or plan.has_feature(key) for key in FEATURES}}


def write_lock(request: HttpRequest) -> dict[str, BillingAccess | None]:
    """``write_lock``: the workspace's billing access when it is read-only, else ``None``.

    Pages read it through the ``write_lock`` template tags, which show write controls
    disabled with the reason instead of offering a form whose Save would be refused.
    """
    access: BillingAccess | None = getattr(request, "billing", None)
    return {"write_lock": access if access is not None and access.read_only else None}
