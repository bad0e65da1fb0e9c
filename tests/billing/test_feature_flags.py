"""Generated from the feature catalogue: a workspace whose plan lacks a feature cannot use it
through any page the feature guards, nor through the services behind them; plans can only
list features that exist.

Adding a feature to ``billing.features.FEATURES`` (with the URL names it guards) adds its
cases here; decorating a view with ``feature_required`` without listing it fails a test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import schema_context

from billing.features import FEATURES, FeatureUnavailableError
from billing.models import Plan
from crm.models import CustomFieldDefinition, Pipeline
from crm.services import configuration, pipelines
from tests.billing.conftest import make_subscription
from tests.conftest import Workspace

CASES = [(key, name) for key, feature in FEATURES.items() for name in feature.url_names]


def _patterns(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


ROUTES = dict(
    (entry.name, "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route))
    for route, entry in _patterns(get_resolver("config.urls_tenant").url_patterns)
    if entry.name
)


@pytest.fixture
def plan_without_features(alpha: Workspace) -> Plan:
    """Alpha is on a plan that includes none of the catalogue's features."""
    make_subscription(alpha.tenant, plan="starter")
    plan = Plan.objects.get(slug="starter")
    plan.features = []
    plan.save()
    return plan


def test_every_feature_guards_at_least_one_page() -> None:
    """A feature that guards nothing would be sold without being enforced."""
    assert all(feature.url_names for feature in FEATURES.values())
    assert all(name in ROUTES for _, name in CASES)


def test_every_guarded_view_is_listed_in_the_catalogue() -> None:
    """A view decorated with ``feature_required`` appears under its feature's URL names."""
    for _, entry in _patterns(get_resolver("config.urls_tenant").url_patterns):
        key = getattr(entry.callback, "required_feature", None)
        if key is not None:
            assert entry.name in FEATURES[key].url_names, entry.name


@pytest.mark.django_db
def test_plans_list_only_features_that_exist() -> None:
    """No plan sells a feature the catalogue does not have."""
    for plan in Plan.objects.all():
        assert set(plan.features) <= set(FEATURES), plan.slug


@pytest.mark.parametrize(("feature", "url_name"), CASES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_page_refuses_without_the_feature(
    alpha: Workspace,
    plan_without_features: Plan,
    signed_in_alpha_admin: Client,
    feature: str,
    url_name: str,
    method: str,
) -> None:
    """Without the feature: a 403 page naming it and the way to upgrade, nothing changed."""
    with schema_context(alpha.schema):
        before = (Pipeline.objects.count(), CustomFieldDefinition.objects.count())
    response = getattr(signed_in_alpha_admin, method)(
        ROUTES[url_name], {"name": "Renewals", "label": "Shoe size", "object_type": "contact"}
    )
    if response.status_code == 405:
        return
    assert response.status_code == 403
    assert f'data-feature="{feature}"'.encode() in response.content
    assert b"Upgrade on the Billing page" in response.content
    with schema_context(alpha.schema):
        assert (Pipeline.objects.count(), CustomFieldDefinition.objects.count()) == before


def test_services_refuse_a_second_pipeline_without_the_feature(
    alpha: Workspace, plan_without_features: Plan, alpha_admin
) -> None:
    """An old tab or a task calling the service directly meets the same refusal."""
    with schema_context(alpha.schema), pytest.raises(FeatureUnavailableError):
        pipelines.pipeline_create(name="Renewals", by=alpha_admin)


def test_services_refuse_custom_fields_without_the_feature(
    alpha: Workspace, plan_without_features: Plan, alpha_admin
) -> None:
    """Defining a custom field is refused by the service itself."""
    with schema_context(alpha.schema), pytest.raises(FeatureUnavailableError):
        configuration.custom_field_create(
            by=alpha_admin,
            object_type="contact",
            fields={"label": "Shoe size", "field_type": "text"},
        )


def test_record_forms_hide_custom_fields_without_the_feature(
    alpha: Workspace, alpha_admin, signed_in_alpha_admin: Client
) -> None:
    """Fields defined on a bigger plan are not offered after a downgrade (values are kept)."""
    with schema_context(alpha.schema):
        configuration.custom_field_create(
            by=alpha_admin,
            object_type="contact",
            fields={"label": "Shoe size", "field_type": "text"},
        )
    assert b"Shoe size" in signed_in_alpha_admin.get("/contacts/new/").content
    make_subscription(alpha.tenant, plan="starter")
    Plan.objects.filter(slug="starter").update(features=[])
    assert b"Shoe size" not in signed_in_alpha_admin.get("/contacts/new/").content


def test_menu_marks_features_to_upgrade(
    plan_without_features: Plan, signed_in_alpha_admin: Client
) -> None:
    """The settings menu shows an upgrade badge instead of hiding what the plan lacks."""
    assert b'data-testid="upgrade-badge"' in signed_in_alpha_admin.get("/").content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/pricing/", "/signup/"])
def test_public_pages_sell_nothing_that_does_not_exist(path: str) -> None:
    """The public site never promises features Rapport does not have yet (campaigns, reports,
    service cases and automation exist now and are named; a public API does not)."""
    content = Client(HTTP_HOST="localhost").get(path).content.decode().lower()
    for word in (" api", "rest api", "mobile app", "whatsapp", "import_export"):
        assert word not in content, (path, word)


#: What the public site names as included in every plan, and a page of the product doing it.
SOLD_FEATURES = {
    "Import from Excel, CSV and other CRMs": "imports",
    "workflow rules": "automation:rules",
    "Service cases": "service_cases",
    "e-mail campaigns": "marketing:campaigns",
    "quotes as PDF": "quotes",
    "Dashboards, reports": "insights_sales",
}


@pytest.mark.django_db
@pytest.mark.parametrize(("phrase", "url_name"), SOLD_FEATURES.items())
def test_every_feature_the_public_site_names_has_a_working_page(
    phrase: str, url_name: str, signed_in_alpha_admin: Client
) -> None:
    from django.urls import reverse

    assert phrase in Client(HTTP_HOST="localhost").get("/pricing/").content.decode()
    path = reverse(url_name, urlconf="config.urls_tenant")
    assert signed_in_alpha_admin.get(path).status_code == 200
