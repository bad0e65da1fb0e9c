"""Proving an email address: the welcome email, verification links, changing the address.

Every link is single-use and expires after ``EMAIL_CONFIRMATION_MAX_AGE_DAYS``: the email
carries a signed token (Django's signing, salted) naming an
:class:`~tenants.users.models.EmailConfirmation` row and the workspace's schema; the row is
marked used when the link is opened. A link works only for the signed-in owner of the
account, on its own workspace's host: a forwarded or leaked link alone changes nothing, and
another workspace does not know it (404).

A new address is taken only when its link is opened; until then the account keeps the old
one, which is told that a change was asked for.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenants.connection import current_schema_name
from tenants.errors import WorkspaceError
from tenants.ratelimits import Rate, budget_spend
from tenants.selectors import current_tenant, workspace_url
from tenants.users.models import (
    EmailConfirmation,
    EmailConfirmationPurpose,
    User,
    normalize_email,
)
from tenants.users.selectors import email_taken, recipient_language

CONFIRMATION_SALT = "rapport.email-confirmation"
CONFIRMATION_BUDGET_SCOPE = "email-confirmation"

_SUBJECTS = {
    EmailConfirmationPurpose.WELCOME: gettext_lazy("Welcome to %(workspace)s on Rapport"),
    EmailConfirmationPurpose.VERIFY: gettext_lazy(
        "Confirm your email address for %(workspace)s on Rapport"
    ),
    EmailConfirmationPurpose.CHANGE: gettext_lazy(
        "Confirm your new email address for %(workspace)s on Rapport"
    ),
}


def email_taken_error() -> WorkspaceError:
    return WorkspaceError(_("This address is already used by another account in this workspace."))


def _max_age() -> timedelta:
    return timedelta(days=settings.EMAIL_CONFIRMATION_MAX_AGE_DAYS)


def email_confirmation_token(confirmation: EmailConfirmation) -> str:
    """The signed token of a confirmation link (made in the confirmation's schema)."""
    payload = {"id": confirmation.token_id, "schema": current_schema_name()}
    return signing.dumps(payload, salt=CONFIRMATION_SALT, compress=True)


def email_confirmation_for_token(*, token: str, user: User) -> EmailConfirmation | None:
    """The usable confirmation behind ``token`` if it belongs to ``user`` in this workspace.

    ``None`` for a forged, expired, used or voided token, one of another workspace, or one of
    another person.
    """
    try:
        payload: Any = signing.loads(token, salt=CONFIRMATION_SALT, max_age=_max_age())
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("schema") != current_schema_name():
        return None
    return (
        EmailConfirmation.objects.usable()
        .filter(token_id=str(payload.get("id", "")), user=user)
        .first()
    )


def _confirmation_create(
    *, user: User, email: str, purpose: str, previous_email: str = ""
) -> EmailConfirmation:
    return EmailConfirmation.objects.create(
        user=user,
        email=email,
        previous_email=previous_email,
        purpose=purpose,
        token_id=secrets.token_urlsafe(32),
        expires_at=timezone.now() + _max_age(),
    )


def _budget_spend(user: User) -> None:
    """Links of one account (resends and address changes) share ``EMAIL_CONFIRMATION_RATE_LIMIT``.

    It stops anyone using Rapport to flood an inbox, the account's own or any other.
    """
    rate = Rate.from_setting("EMAIL_CONFIRMATION_RATE_LIMIT")
    if not budget_spend(
        scope=CONFIRMATION_BUDGET_SCOPE, value=f"{current_schema_name()}:{user.pk}", rate=rate
    ):
        raise WorkspaceError(
            _("Too many confirmation emails were sent for your account. Please try again later.")
        )


def _confirmation_url(confirmation: EmailConfirmation) -> str:
    path = reverse(
        "email_confirm",
        kwargs={"token": email_confirmation_token(confirmation)},
        urlconf=settings.ROOT_URLCONF,
    )
    return workspace_url(current_tenant(), path)


def _send(
    *, user: User, to: str, subject: str | Promise, template: str, context: dict[str, Any]
) -> None:
    """One email to ``to`` in ``user``'s language."""
    with translation.override(recipient_language(user)):
        tenant = current_tenant()
        full_context = {"user": user, "workspace": tenant, **context}
        send_mail(
            subject=str(subject) % {"workspace": tenant.name},
            message=render_to_string(template, full_context),
            from_email=None,
            recipient_list=[to],
        )


def welcome_email_enqueue(*, user: User) -> None:
    """Queue the welcome email of a workspace's founding admin for after the commit.

    Call it in the workspace's schema: the task runs there.
    """
    from tenants.users.tasks import welcome_email_job

    welcome_email_job.enqueue(user_id=user.pk, dedupe_key=f"users.welcome:{user.pk}")


@transaction.atomic
def welcome_email_send(*, user_id: int) -> bool:
    """Welcome the founding admin: the workspace's address, how to sign in, and a link that
    verifies their email address. Sent once per user; ``False`` if it was sent before."""
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if (
        user is None
        or user.email_confirmations.filter(purpose=EmailConfirmationPurpose.WELCOME).exists()
    ):
        return False
    confirmation = _confirmation_create(
        user=user, email=user.email, purpose=EmailConfirmationPurpose.WELCOME
    )
    tenant = current_tenant()
    _send(
        user=user,
        to=user.email,
        subject=_SUBJECTS[EmailConfirmationPurpose.WELCOME],
        template="users/emails/welcome.txt",
        context={
            "workspace_url": workspace_url(tenant, "/"),
            "sign_in_url": workspace_url(tenant, reverse("login", urlconf=settings.ROOT_URLCONF)),
            "confirm_url": _confirmation_url(confirmation),
            "max_age_days": settings.EMAIL_CONFIRMATION_MAX_AGE_DAYS,
        },
    )
    EmailConfirmation.objects.filter(pk=confirmation.pk).update(sent_at=timezone.now())
    return True


@transaction.atomic
def email_verification_resend(*, user: User) -> EmailConfirmation:
    """Email ``user`` a new link that verifies their current address (rate-limited)."""
    if user.email_verified:
        raise WorkspaceError(_("Your email address is already verified."))
    _budget_spend(user)
    confirmation = _confirmation_create(
        user=user, email=user.email, purpose=EmailConfirmationPurpose.VERIFY
    )
    from tenants.users.tasks import email_confirmation_job

    email_confirmation_job.enqueue(confirmation_id=confirmation.pk)
    return confirmation


@transaction.atomic
def email_change_request(*, user: User, new_email: str) -> EmailConfirmation:
    """Ask to move ``user`` to ``new_email``: a link goes to the new address, a note to the old.

    An earlier request's link stops working. Nothing changes until the link is opened.
    """
    new_email = normalize_email(new_email)
    if new_email == normalize_email(user.email):
        raise WorkspaceError(_("This is already your email address."))
    if email_taken(new_email, by_other_than=user):
        raise email_taken_error()
    _budget_spend(user)
    email_change_cancel(user=user)
    confirmation = _confirmation_create(
        user=user,
        email=new_email,
        purpose=EmailConfirmationPurpose.CHANGE,
        previous_email=user.email,
    )
    from tenants.users.tasks import email_confirmation_job

    email_confirmation_job.enqueue(confirmation_id=confirmation.pk)
    return confirmation


def email_change_cancel(*, user: User) -> int:
    """Void the links of ``user``'s pending address change; returns how many there were."""
    return (
        EmailConfirmation.objects.usable()
        .filter(user=user, purpose=EmailConfirmationPurpose.CHANGE)
        .update(expires_at=timezone.now())
    )


@transaction.atomic
def email_confirmation_send(*, confirmation_id: int) -> bool:
    """Email a verification or address-change link while it can be used, once.

    For a change, the previous address is told too. ``False`` if there was nothing to send
    (already sent, used, voided or expired).
    """
    claimed = (
        EmailConfirmation.objects.usable()
        .filter(pk=confirmation_id, sent_at__isnull=True)
        .update(sent_at=timezone.now())
    )
    if not claimed:
        return False
    confirmation = EmailConfirmation.objects.select_related("user").get(pk=confirmation_id)
    purpose = EmailConfirmationPurpose(confirmation.purpose)
    change = purpose == EmailConfirmationPurpose.CHANGE
    _send(
        user=confirmation.user,
        to=confirmation.email,
        subject=_SUBJECTS[purpose],
        template="users/emails/email_change.txt" if change else "users/emails/email_verify.txt",
        context={
            "confirmation": confirmation,
            "confirm_url": _confirmation_url(confirmation),
            "max_age_days": settings.EMAIL_CONFIRMATION_MAX_AGE_DAYS,
        },
    )
    if change and confirmation.previous_email:
        _email_change_requested_notify(confirmation)
    return True


def _email_change_requested_notify(confirmation: EmailConfirmation) -> None:
    """Tell the old address that someone asked to move the account to another one."""
    reset_path = reverse("password_reset", urlconf=settings.ROOT_URLCONF)
    _send(
        user=confirmation.user,
        to=confirmation.previous_email,
        subject=gettext_lazy("Someone asked to change your email address on Rapport"),
        template="users/emails/email_change_requested.txt",
        context={
            "confirmation": confirmation,
            "profile_url": workspace_url(
                current_tenant(), reverse("profile", urlconf=settings.ROOT_URLCONF)
            ),
            "password_reset_url": workspace_url(current_tenant(), reset_path),
        },
    )


@transaction.atomic
def email_confirm(*, confirmation: EmailConfirmation) -> User:
    """Open a link: the address is verified, and for a change it becomes the account's address.

    The link works once. After a change every other link of the account stops working (they
    were about the old address).
    """
    locked = (
        EmailConfirmation.objects.select_for_update().usable().filter(pk=confirmation.pk).first()
    )
    if locked is None:
        raise WorkspaceError(_("This link is invalid, expired or already used."))
    user = User.objects.select_for_update().get(pk=locked.user_id)
    now = timezone.now()
    change = locked.purpose == EmailConfirmationPurpose.CHANGE
    if change:
        if email_taken(locked.email, by_other_than=user):
            raise email_taken_error()
        user.email, user.email_verified_at = locked.email, now
    elif normalize_email(locked.email) != normalize_email(user.email):
        raise WorkspaceError(_("This link is for an address your account no longer uses."))
    else:
        user.email_verified_at = user.email_verified_at or now
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified_at"])
    except IntegrityError as error:
        raise email_taken_error() from error
    locked.used_at = now
    locked.save(update_fields=["used_at"])
    if change:
        EmailConfirmation.objects.usable().filter(user=user).update(expires_at=now)
    return user
