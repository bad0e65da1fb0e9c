"""The handoff token signs the new admin in once, on their workspace only, for ≤ 60 s."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.handoff import HANDOFF_SALT, handoff_token_issue
from tenants.models import HandoffToken
from tenants.users.models import User
from tests.conftest import Workspace


@pytest.fixture
def alpha_user_id(alpha: Workspace, alpha_admin: User) -> int:
    return int(alpha_admin.pk)


def test_valid_token_signs_in_and_lands_on_the_dashboard(
    alpha: Workspace, alpha_user_id: int, alpha_client: Client
) -> None:
    token = handoff_token_issue(tenant=alpha.tenant, user_id=alpha_user_id)
    response = alpha_client.get("/handoff/", {"token": token})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert alpha_client.get("/").status_code == 200


def test_replayed_token_is_refused(
    alpha: Workspace, alpha_user_id: int, alpha_client: Client
) -> None:
    token = handoff_token_issue(tenant=alpha.tenant, user_id=alpha_user_id)
    alpha_client.get("/handoff/", {"token": token})
    replay = Client(HTTP_HOST=alpha.host).get("/handoff/", {"token": token})
    assert replay.status_code == 403
    assert b"already been used" in replay.content
    assert b'href="/login/"' in replay.content


def test_expired_token_is_refused(
    alpha: Workspace, alpha_user_id: int, alpha_client: Client, settings
) -> None:
    token = handoff_token_issue(tenant=alpha.tenant, user_id=alpha_user_id)
    HandoffToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = alpha_client.get("/handoff/", {"token": token})
    assert response.status_code == 403
    assert "_auth_user_id" not in alpha_client.session


def test_token_older_than_max_age_is_refused_by_signature(
    alpha: Workspace, alpha_user_id: int, alpha_client: Client, settings
) -> None:
    token = handoff_token_issue(tenant=alpha.tenant, user_id=alpha_user_id)
    settings.HANDOFF_MAX_AGE_SECONDS = -1
    response = alpha_client.get("/handoff/", {"token": token})
    assert response.status_code == 403
    assert b"expired" in response.content


def test_token_of_another_workspace_is_refused(
    alpha: Workspace, alpha_user_id: int, beta_client: Client
) -> None:
    token = handoff_token_issue(tenant=alpha.tenant, user_id=alpha_user_id)
    response = beta_client.get("/handoff/", {"token": token})
    assert response.status_code == 403
    assert b"another workspace" in response.content


def test_forged_token_is_refused(
    alpha: Workspace, alpha_user_id: int, alpha_client: Client
) -> None:
    forged = signing.dumps(
        {"jti": "x", "schema": alpha.schema, "uid": alpha_user_id}, salt=HANDOFF_SALT, key="wrong"
    )
    response = alpha_client.get("/handoff/", {"token": forged})
    assert response.status_code == 403
    assert b"not valid" in response.content


def test_token_for_a_deactivated_user_is_refused(
    alpha: Workspace, alpha_admin: User, alpha_client: Client
) -> None:
    token = handoff_token_issue(tenant=alpha.tenant, user_id=alpha_admin.pk)
    with schema_context(alpha.schema):
        User.objects.filter(pk=alpha_admin.pk).update(is_active=False)
    assert alpha_client.get("/handoff/", {"token": token}).status_code == 403


def test_token_lifetime_is_at_most_a_minute(alpha: Workspace, alpha_user_id: int) -> None:
    handoff_token_issue(tenant=alpha.tenant, user_id=alpha_user_id)
    record = HandoffToken.objects.get()
    assert record.expires_at - timezone.now() <= timedelta(seconds=60)
