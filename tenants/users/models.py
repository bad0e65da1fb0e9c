"""Users, roles and invitations. Each schema has its own rows (see ``UsersConfig``)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a workspace user may do. Visibility of records follows from the role."""

    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    REP = "rep", _("Sales rep")
    READ_ONLY = "read_only", _("Read-only")


class UserManager(BaseUserManager["User"]):
    """Creates users with a normalised, case-insensitively unique email address."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", Role.ADMIN)
        return self.create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


def normalize_email(email: str) -> str:
    """Email addresses compare case-insensitively everywhere in Rapport."""
    return email.strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in, identified by email within one schema."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.REP)
    is_active = models.BooleanField(_("active"), default=True)
    #: Provider-operations staff (public schema only); never set on workspace users.
    is_staff = models.BooleanField(_("provider staff"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    #: When the person proved they receive mail at ``email`` by opening a link sent there.
    #: Empty only for a workspace's founding admin until they open the welcome email's link
    #: (an invitation link proves the address; a new address is taken only from its link).
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)
    #: A code from ``settings.LANGUAGES``; empty means the workspace's default.
    language = models.CharField(_("language"), max_length=16, blank=True, default="")
    #: An IANA time zone name; empty means the workspace's default.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="")
    #: Emails the person turned off, by key of ``tenants.users.notifications``
    #: (``{"billing.receipt": false}``); a key not present means "on".
    notification_settings = models.JSONField(_("notification settings"), default=dict, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="users_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_workspace_admin(self) -> bool:
        return bool(self.role == Role.ADMIN)

    @property
    def can_write(self) -> bool:
        return bool(self.role != Role.READ_ONLY)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An admin's invitation for someone to join the workspace with a role.

    Only a hash of the token is stored; the link in the email carries the token itself. The
    link works once and until ``expires_at``.
    """

    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.REP)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class UserSession(models.Model):
    """A browser signed in to a user's account: one row per Django session.

    ``django_session`` holds opaque, signed blobs that cannot be listed by user, so each
    sign-in records its session here too (same schema), for the profile's "active sessions"
    list and for signing other browsers out. The session key never leaves the server.
    """

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    user_agent = models.CharField(_("browser"), max_length=512, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d %H:%M})"


class EmailConfirmationPurpose(models.TextChoices):
    """Why a link was emailed; opening it proves the person receives mail at its address."""

    WELCOME = "welcome", _("Welcome email after signup")
    VERIFY = "verify", _("Verify the current address")
    CHANGE = "change", _("Change to a new address")


class EmailConfirmationQuerySet(models.QuerySet["EmailConfirmation"]):
    def usable(self) -> EmailConfirmationQuerySet:
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class EmailConfirmation(models.Model):
    """A single-use, expiring link emailed to ``email`` for ``user``.

    The emailed link carries a signed token naming ``token_id`` and the workspace's schema;
    the row makes it single-use (``used_at``) and lets a newer request void it
    (``expires_at`` set to now). For ``change`` the user's address becomes ``email`` only
    when the link is opened.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_confirmations")
    email = models.EmailField(_("email address"))
    #: The account's address when a change was asked for; it is told about the request.
    previous_email = models.EmailField(_("previous email address"), blank=True)
    purpose = models.CharField(
        _("purpose"), max_length=10, choices=EmailConfirmationPurpose.choices
    )
    token_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    #: When the email went out; set once, so a retried task never sends it twice.
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = EmailConfirmationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("email confirmation")
        verbose_name_plural = _("email confirmations")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.email}"
