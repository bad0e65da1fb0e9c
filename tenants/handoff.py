"""Handoff login: carries a new customer from the public site into their workspace signed in.

The token is signed (Django's signing, salted), lives at most ``HANDOFF_MAX_AGE_SECONDS``, is
bound to one tenant and one user, and works once: its id is recorded when issued and marked
used on redemption with a conditional UPDATE, so a replay finds nothing to update. Whether a
workspace's handoff was used (:func:`handoff_used`) ends the signup progress page's offer of
further handoffs (see ``onboarding.provisioning.signup_handoff_issue``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.models import HandoffToken, Tenant

HANDOFF_SALT = "rapport.handoff"


class HandoffError(Exception):
    """The token cannot sign anyone in; the message says why, for the person holding it."""


@dataclass(frozen=True)
class HandoffGrant:
    user_id: int


def handoff_token_issue(*, tenant: Tenant, user_id: int) -> str:
    jti = secrets.token_urlsafe(24)
    HandoffToken.objects.create(
        jti=jti,
        tenant=tenant,
        user_id=user_id,
        expires_at=timezone.now() + timedelta(seconds=settings.HANDOFF_MAX_AGE_SECONDS),
    )
    payload = {"jti": jti, "schema": tenant.schema_name, "uid": user_id}
    return signing.dumps(payload, salt=HANDOFF_SALT, compress=True)


def handoff_lock(*, tenant: Tenant) -> None:
    """Lock the workspace's row until the transaction ends.

    Issuing and redeeming handoffs both take this lock first, so they never interleave.
    """
    list(Tenant.objects.select_for_update().filter(pk=tenant.pk).values_list("pk", flat=True))


def handoff_used(*, tenant: Tenant) -> bool:
    """Whether anyone has been signed in to ``tenant`` by a handoff token."""
    return HandoffToken.objects.filter(tenant=tenant, used_at__isnull=False).exists()


def handoff_tokens_void(*, tenant: Tenant) -> int:
    """Expire every unused token of ``tenant``, so a newly issued one is the only live link."""
    now = timezone.now()
    return HandoffToken.objects.filter(
        tenant=tenant, used_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)


@transaction.atomic
def handoff_token_redeem(*, token: str, tenant: Tenant) -> HandoffGrant:
    """Check and consume a token presented on ``tenant``'s host.

    The workspace's row is locked first, the same order ``signup_handoff_issue`` takes,
    so a handoff issued while this one is redeemed cannot outlive the redemption.
    """
    try:
        payload = signing.loads(token, salt=HANDOFF_SALT, max_age=settings.HANDOFF_MAX_AGE_SECONDS)
    except signing.SignatureExpired as error:
        raise HandoffError(_("This sign-in link has expired.")) from error
    except signing.BadSignature as error:
        raise HandoffError(_("This sign-in link is not valid.")) from error
    if payload.get("schema") != tenant.schema_name:
        raise HandoffError(_("This sign-in link belongs to another workspace."))
    handoff_lock(tenant=tenant)
    used = HandoffToken.objects.filter(
        jti=payload.get("jti"),
        tenant=tenant,
        user_id=payload.get("uid"),
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).update(used_at=timezone.now())
    if used != 1:
        raise HandoffError(_("This sign-in link has already been used."))
    return HandoffGrant(user_id=int(payload["uid"]))
