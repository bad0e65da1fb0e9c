"""Plans as data: feature checks, seat limits on inviting and reactivating, seat quantity."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from billing.models import Plan, SandboxSubscription, Subscription
from billing.selectors import seat_limit, tenant_has_feature
from tenants.errors import WorkspaceError
from tenants.users import services as user_services
from tests.billing.conftest import make_subscription
from tests.billing.flows import subscribe
from tests.conftest import Workspace
from tests.factories import UserFactory


def make_subscription_plan(tenant, slug: str) -> None:
    Subscription.objects.filter(tenant=tenant).update(plan=Plan.objects.get(slug=slug))


def test_feature_follows_the_plan(alpha: Workspace) -> None:
    make_subscription(alpha.tenant, plan="starter")
    assert not tenant_has_feature(alpha.tenant, "custom_fields")
    make_subscription_plan(alpha.tenant, "growth")
    assert tenant_has_feature(alpha.tenant, "custom_fields")


def test_feature_changes_when_the_plan_data_changes(alpha: Workspace) -> None:
    make_subscription(alpha.tenant, plan="starter")
    Plan.objects.filter(slug="starter").update(features=["audit_log"])
    assert tenant_has_feature(alpha.tenant, "audit_log")


def test_unbilled_workspace_has_every_feature_and_no_seat_limit(beta: Workspace) -> None:
    assert tenant_has_feature(beta.tenant, "audit_log")
    assert seat_limit(beta.tenant) is None


def test_seat_limit_comes_from_the_plan(alpha: Workspace) -> None:
    make_subscription(alpha.tenant, plan="starter")
    assert seat_limit(alpha.tenant) == 3


def _fill_seats(count: int) -> None:
    for _ in range(count):
        UserFactory.create()


def test_inviting_beyond_the_seat_limit_is_refused(alpha: Workspace, alpha_admin) -> None:
    make_subscription(alpha.tenant, plan="starter")
    with schema_context(alpha.schema):
        _fill_seats(2)
        with pytest.raises(WorkspaceError, match="Upgrade the plan"):
            user_services.invitation_create(
                email="one-more@alpha.example",
                role="rep",
                by=alpha_admin,
                accept_url_template="{token}",
            )


def test_pending_invitations_reserve_seats(alpha: Workspace, alpha_admin) -> None:
    make_subscription(alpha.tenant, plan="starter")
    with schema_context(alpha.schema):
        _fill_seats(1)
        user_services.invitation_create(
            email="a@alpha.example", role="rep", by=alpha_admin, accept_url_template="{token}"
        )
        with pytest.raises(WorkspaceError):
            user_services.invitation_create(
                email="b@alpha.example", role="rep", by=alpha_admin, accept_url_template="{token}"
            )


def test_invite_form_shows_the_upgrade_prompt(
    alpha: Workspace, signed_in_alpha_admin: Client
) -> None:
    make_subscription(alpha.tenant, plan="starter")
    with schema_context(alpha.schema):
        _fill_seats(2)
    response = signed_in_alpha_admin.post(
        "/settings/users/invite/", {"email": "new@alpha.example", "role": "rep"}
    )
    assert response.status_code == 400
    assert b"Upgrade the plan" in response.content


def test_reactivating_beyond_the_seat_limit_is_refused(alpha: Workspace, alpha_admin) -> None:
    make_subscription(alpha.tenant, plan="starter")
    with schema_context(alpha.schema):
        _fill_seats(2)
        inactive = UserFactory.create(is_active=False)
        with pytest.raises(WorkspaceError, match="all seats are taken"):
            user_services.user_reactivate(user=inactive)


def test_reactivate_view_explains_the_refusal(
    alpha: Workspace, signed_in_alpha_admin: Client
) -> None:
    make_subscription(alpha.tenant, plan="starter")
    with schema_context(alpha.schema):
        _fill_seats(2)
        inactive = UserFactory.create(is_active=False)
    response = signed_in_alpha_admin.post(f"/settings/users/{inactive.pk}/reactivate/", follow=True)
    assert b"all seats are taken" in response.content


def test_unlimited_plan_allows_any_number_of_users(alpha: Workspace, alpha_admin) -> None:
    make_subscription(alpha.tenant, plan="pro")
    with schema_context(alpha.schema):
        _fill_seats(5)
        user_services.invitation_create(
            email="sixth@alpha.example", role="rep", by=alpha_admin, accept_url_template="{token}"
        )


def test_gateway_quantity_follows_the_active_user_count(
    alpha: Workspace,
    signed_in_alpha_admin: Client,
    public_client: Client,
    run_on_commit,
    alpha_admin,
) -> None:
    make_subscription(alpha.tenant, trial_days=1)
    subscribe(signed_in_alpha_admin, public_client, run_on_commit)
    with schema_context(alpha.schema):
        inactive = UserFactory.create(is_active=False)
        with run_on_commit():
            user_services.user_reactivate(user=inactive)
    assert SandboxSubscription.objects.get().quantity == 2
    assert Subscription.objects.get(tenant=alpha.tenant).quantity == 2
