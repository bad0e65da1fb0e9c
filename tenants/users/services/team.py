"""Writes about a workspace's team: invitations, accepting them, roles, deactivation."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.policies import seat_policy
from tenants.errors import WorkspaceError
from tenants.users.models import Invitation, Role, User, normalize_email


def invitation_token_hash(token: str) -> str:
    """Only this hash is stored, so a database leak does not reveal usable links."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(*, email: str, role: str, by: User, accept_url_template: str) -> Invitation:
    """Invite someone to the workspace; the email with the single-use link goes after commit.

    ``accept_url_template`` is the absolute accept URL with ``{token}`` in place of the token.
    """
    email = normalize_email(email)
    if User.objects.filter(email__iexact=email, is_active=True).exists():
        raise WorkspaceError(
            _("%(email)s already has an account in this workspace.") % {"email": email}
        )
    seat_policy().ensure_available(reserve_pending=True)
    Invitation.objects.pending().filter(email__iexact=email).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        invited_by=by,
        token_hash=invitation_token_hash(token),
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
    )
    from tenants.users.tasks import invitation_email_job

    invitation_email_job.enqueue(
        invitation_id=invitation.pk, accept_url=accept_url_template.format(token=token)
    )
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The pending invitation behind a link, or ``None`` if unknown, used, revoked or expired."""
    return Invitation.objects.pending().filter(token_hash=invitation_token_hash(token)).first()


@transaction.atomic
def invitation_accept(*, token: str, full_name: str, password: str) -> User:
    """Create the invited user's account; the link cannot be used again."""
    invitation = (
        Invitation.objects.select_for_update()
        .pending()
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )
    if invitation is None:
        raise WorkspaceError(_("This invitation link is invalid, expired or already used."))
    candidate = User(email=invitation.email, full_name=full_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise WorkspaceError(" ".join(error.messages)) from error
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None or not user.is_active:
        seat_policy().ensure_available()
    # The link arrived at the invited address, which proves it.
    verified_at = timezone.now()
    if user is None:
        user = User.objects.create_user(
            invitation.email,
            password,
            full_name=full_name,
            role=invitation.role,
            email_verified_at=verified_at,
        )
    else:
        user.full_name = full_name
        user.role = invitation.role
        user.is_active = True
        user.email_verified_at = user.email_verified_at or verified_at
        user.set_password(password)
        user.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    seat_policy().changed()
    return user


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> User:
    """Stop a user signing in; their records stay. A workspace always keeps one active admin."""
    if user.pk == by.pk:
        raise WorkspaceError(_("You cannot deactivate your own account."))
    if user.role == Role.ADMIN and _active_admin_count(excluding=user) == 0:
        raise WorkspaceError(_("The workspace needs at least one active admin."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    seat_policy().changed()
    return user


@transaction.atomic
def user_reactivate(*, user: User) -> User:
    """Let a user sign in again, if the plan has a seat free."""
    if not user.is_active:
        seat_policy().ensure_available()
    user.is_active = True
    user.save(update_fields=["is_active"])
    seat_policy().changed()
    return user


@transaction.atomic
def user_change_role(*, user: User, role: str, by: User) -> User:
    """Give a user another role; the last active admin cannot lose the admin role."""
    if user.role == Role.ADMIN and role != Role.ADMIN and _active_admin_count(excluding=user) == 0:
        raise WorkspaceError(_("The workspace needs at least one active admin."))
    user.role = role
    user.save(update_fields=["role"])
    return user


def _active_admin_count(*, excluding: User) -> int:
    return User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=excluding.pk).count()
