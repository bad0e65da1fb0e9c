"""The features a plan can include: a catalogue of what Rapport really does, in words.

Only a feature that works is listed here, so a plan (plans are rows, edited by provider ops)
can only sell what exists; adding a feature to a plan later is a data change. Each feature
names the pages it guards, so a generated test proves a workspace without it cannot use any
of them, and the services behind those pages call :func:`feature_ensure` as well, so neither
an old tab, a crafted POST nor a background task gets around the plan.

Everything the CRM does that is not listed here (contacts, companies, leads, one pipeline,
activities, search, saved views, export of one's own data) is in every plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing.errors import BillingError
from billing.selectors import tenant_has_feature
from tenants.connection import current_schema_name
from tenants.models import Tenant


@dataclass(frozen=True)
class Feature:
    key: str
    label: Promise
    description: Promise
    #: URL names (workspace URLconf) of the pages that only work with this feature.
    url_names: tuple[str, ...]


FEATURES: dict[str, Feature] = {
    feature.key: feature
    for feature in (
        Feature(
            "multiple_pipelines",
            _("Several sales pipelines"),
            _("A pipeline per product line or market, each with its own stages."),
            ("pipeline_create",),
        ),
        Feature(
            "custom_fields",
            _("Custom fields"),
            _("Your own fields on contacts, companies, leads and deals, filterable in lists."),
            ("custom_field_settings", "custom_field_update"),
        ),
        Feature(
            "audit_log",
            _("Audit log"),
            _("Who changed what and when, for every record and setting."),
            ("audit_log",),
        ),
    )
}


class FeatureUnavailableError(BillingError):
    """The workspace's plan does not include the feature; the message says how to get it."""

    status_code = 403


def feature_label(key: str) -> str:
    feature = FEATURES.get(key)
    return str(feature.label) if feature else key


def upgrade_message(key: str) -> str:
    return gettext(
        "%(feature)s is not part of your plan. Upgrade on the Billing page to use it."
    ) % {"feature": feature_label(key)}


def _current_tenant() -> Tenant:
    """The workspace whose schema the connection is in (tasks and ``schema_context`` set only
    the schema name, requests the tenant row)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    found = Tenant.objects.filter(schema_name=current_schema_name()).first()
    if found is None or found.is_public:
        raise FeatureUnavailableError(gettext("This needs a workspace."))
    return found


#: Answers already read in a :func:`features_cached` block, by (schema, feature).
_cached: ContextVar[dict[tuple[str, str], bool] | None] = ContextVar("features", default=None)


@contextmanager
def features_cached() -> Iterator[None]:
    """Read each workspace's plan features once for the block (a batch writing thousands of
    records asks the same question for each; the plan does not change in between)."""
    token = _cached.set({})
    try:
        yield
    finally:
        _cached.reset(token)


def feature_enabled(key: str, tenant: Tenant | None = None) -> bool:
    """Whether the workspace (the current one by default) may use feature ``key``."""
    if key not in FEATURES:
        raise KeyError(f"Unknown feature {key!r}: add it to billing.features.FEATURES")
    cache = _cached.get()
    if cache is None:
        return tenant_has_feature(tenant or _current_tenant(), key)
    cache_key = (tenant.schema_name if tenant else current_schema_name(), key)
    if cache_key not in cache:
        cache[cache_key] = tenant_has_feature(tenant or _current_tenant(), key)
    return cache[cache_key]


def feature_ensure(key: str, tenant: Tenant | None = None) -> None:
    """Refuse with an upgrade message unless the workspace's plan includes ``key``."""
    if not feature_enabled(key, tenant):
        raise FeatureUnavailableError(upgrade_message(key))


View = Callable[..., HttpResponse]


def feature_required(key: str) -> Callable[[View], View]:
    """A view decorator: without the feature, an explanation and the way to upgrade (403)."""
    if key not in FEATURES:
        raise KeyError(f"Unknown feature {key!r}: add it to billing.features.FEATURES")

    def decorator(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if feature_enabled(key):
                return view(request, *args, **kwargs)
            return render(
                request,
                "billing/feature_unavailable.html",
                {"feature": FEATURES[key], "message": upgrade_message(key)},
                status=403,
            )

        guarded.required_feature = key  # type: ignore[attr-defined]
        return guarded

    return decorator


def plan_features(keys: list[str] | None) -> list[Feature]:
    """A plan's features in catalogue order; keys the catalogue does not know are left out."""
    chosen = set(keys or [])
    return [feature for key, feature in FEATURES.items() if key in chosen]
