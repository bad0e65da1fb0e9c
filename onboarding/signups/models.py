"""A customer's request for a workspace, from the signup form until they are signed in."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant


class SignupStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a workspace")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Signup(models.Model):
    """A customer's request for a workspace, from the signup form until they are signed in.

    The admin's password is kept only as a Django password hash, so no secret waits here in
    clear text while the schema is prepared.
    """

    public_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="signup")
    admin_name = models.CharField(_("admin name"), max_length=150)
    admin_email = models.EmailField(_("admin email"))
    admin_password_hash = models.CharField(max_length=256)
    plan_slug = models.SlugField(_("plan"), max_length=40, blank=True)
    status = models.CharField(
        max_length=20, choices=SignupStatus.choices, default=SignupStatus.WAITING
    )
    #: "pool", "clone" or "migrate": how the schema was obtained.
    provisioning_method = models.CharField(max_length=20, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        #: The table kept its name when the model moved here from ``tenants``.
        db_table = "tenants_signup"

    def __str__(self) -> str:
        return f"{self.admin_email} → {self.tenant}"

    @property
    def seconds_to_ready(self) -> float | None:
        if self.ready_at is None:
            return None
        return (self.ready_at - self.created_at).total_seconds()


class Journey(models.Model):
    """How far a signed-up workspace has come towards first value, for the ops console.

    Each time is read from the workspace's own data (its first real record, first
    invitation, first deal with an activity…) by a task running in the workspace's schema
    (``onboarding.journey_refresh``), and copied here once known. The ops console reads the
    funnel across workspaces from this one public table, never across schemas.
    """

    signup = models.OneToOneField(Signup, on_delete=models.CASCADE, related_name="journey")
    profile_done_at = models.DateTimeField(_("profile done"), null=True, blank=True)
    data_in_at = models.DateTimeField(_("first records"), null=True, blank=True)
    team_invited_at = models.DateTimeField(_("team invited"), null=True, blank=True)
    #: The first deal with an activity: the moment the CRM first did its job.
    first_value_at = models.DateTimeField(_("first value"), null=True, blank=True)
    guided_start_completed_at = models.DateTimeField(
        _("guided start completed"), null=True, blank=True
    )
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")

    def __str__(self) -> str:
        return str(self.signup)

    @property
    def time_to_first_value(self) -> timedelta | None:
        if self.first_value_at is None:
            return None
        return self.first_value_at - self.signup.created_at
