"""Reads about workspace users."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.users.models import Invitation, User


def workspace_users() -> QuerySet[User]:
    return User.objects.order_by("-is_active", "full_name", "email")


def pending_invitations() -> QuerySet[Invitation]:
    return Invitation.objects.pending().select_related("invited_by")
