"""Password reset and sign-in lockout e-mails."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import Tenant
from tenants.ratelimits import Rate, budget_spend
from tenants.selectors import current_tenant, public_url, workspace_hostname, workspace_url
from tenants.users.models import User, normalize_email

RESET_ADDRESS_SCOPE = "password-reset-address"
RESET_IP_SCOPE = "password-reset-ip"


def password_reset_ip_admit(*, ip: str) -> bool:
    """Take one reset request from the client IP's budget (``PASSWORD_RESET_RATE_LIMIT``).

    Counted once across every workspace, so an IP cannot ask each workspace in turn.
    """
    rate = Rate.from_setting("PASSWORD_RESET_RATE_LIMIT")
    return budget_spend(scope=RESET_IP_SCOPE, value=ip, rate=rate)


def password_reset_request(*, email: str) -> bool:
    """Queue a password-reset email for ``email`` in the current workspace, within its budget.

    Every request counts against the address (``PASSWORD_RESET_ADDRESS_RATE_LIMIT``, across
    workspaces: the inbox is what a flood would hit), whether or not it has an account here.
    Beyond the budget nothing is sent and ``False`` is returned; the caller answers the same
    either way, so the limit reveals nothing. Links already sent stay valid meanwhile, so
    someone spending an address's budget does not keep its owner from resetting.
    """
    email = normalize_email(email)
    rate = Rate.from_setting("PASSWORD_RESET_ADDRESS_RATE_LIMIT")
    if not budget_spend(scope=RESET_ADDRESS_SCOPE, value=email, rate=rate):
        return False
    from tenants.users.tasks import password_reset_email_job

    password_reset_email_job.enqueue(email=email)
    return True


def password_reset_email_send(*, email: str) -> None:
    """Email a reset link to the current workspace's active account with ``email``, if any.

    The link is built from the configured site address (``SITE_SCHEME``, ``BASE_DOMAIN``,
    ``SITE_PORT``), never from the Host or port a request came in on.
    """
    tenant = current_tenant()
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    form.save(
        domain_override=workspace_hostname(str(tenant.slug)),
        use_https=settings.SITE_SCHEME == "https",
        subject_template_name="users/emails/password_reset_subject.txt",
        email_template_name="users/emails/password_reset.txt",
        extra_email_context={"workspace": tenant, "site_url": workspace_url(tenant, "")},
    )


def login_lockout_email_send(*, schema_name: str, user_id: int) -> None:
    """Tell a user once that sign-in to their account is paused after repeated failures.

    Works for workspace users and for ops staff (the public schema); the links point at the
    configured site address.
    """
    with schema_context(schema_name):
        user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    if schema_name == get_public_schema_name():
        place = _("Rapport operations")
        action_url = public_url(reverse("ops_login", urlconf=settings.PUBLIC_SCHEMA_URLCONF))
    else:
        tenant = Tenant.objects.get(schema_name=schema_name)
        place = tenant.name
        action_url = workspace_url(tenant, reverse("password_reset", urlconf=settings.ROOT_URLCONF))
    context = {
        "place": place,
        "action_url": action_url,
        "is_workspace": schema_name != get_public_schema_name(),
        "max_minutes": max(1, settings.LOGIN_LOCKOUT_MAX_SECONDS // 60),
    }
    send_mail(
        subject=_("Sign-in to your Rapport account is paused"),
        message=render_to_string("users/emails/login_lockout.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
