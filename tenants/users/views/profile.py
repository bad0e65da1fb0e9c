"""The signed-in person's own profile, and the links that verify an email address.

Every signed-in user reaches their own profile, read-only users included: these are their
own account's settings, not the workspace's data. Each section posts to its own URL; on
success the page comes back at that section, on an error it is shown again with the
section's form and its messages (status 400).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tenants.errors import WorkspaceError
from tenants.users import selectors, services
from tenants.users.browsers import user_agent_summary
from tenants.users.forms import (
    EmailChangeForm,
    NotificationsForm,
    PreferencesForm,
    ProfileNameForm,
    ProfilePasswordForm,
)
from tenants.users.models import User, UserSession

#: Session flag: the person closed the "verify your address" banner for this session.
VERIFICATION_BANNER_HIDDEN = "email_verification_banner_hidden"


@dataclass(frozen=True)
class SessionRow:
    """One signed-in browser as the profile lists it (the session key stays on the server)."""

    pk: int
    device: str
    ip_address: str | None
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _session_rows(request: HttpRequest) -> list[SessionRow]:
    current = request.session.session_key
    return [
        SessionRow(
            pk=row.pk,
            device=user_agent_summary(row.user_agent),
            ip_address=row.ip_address,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            is_current=row.session_key == current,
        )
        for row in selectors.user_sessions(_user(request))
    ]


def _name_form(request: HttpRequest, data: Any = None) -> ProfileNameForm:
    return ProfileNameForm(data, initial={"full_name": _user(request).full_name}, prefix="name")


def _email_form(request: HttpRequest, data: Any = None) -> EmailChangeForm:
    return EmailChangeForm(data, user=_user(request), prefix="email")


def _password_form(request: HttpRequest, data: Any = None) -> ProfilePasswordForm:
    return ProfilePasswordForm(_user(request), data, prefix="password")


def _preferences_form(request: HttpRequest, data: Any = None) -> PreferencesForm:
    user = _user(request)
    initial = {"language": user.language, "time_zone": user.time_zone}
    return PreferencesForm(data, initial=initial, prefix="preferences")


def _notifications_form(request: HttpRequest, data: Any = None) -> NotificationsForm:
    return NotificationsForm(data, user=_user(request), prefix="notifications")


def _profile_page(request: HttpRequest, *, status: int = 200, **forms: Any) -> HttpResponse:
    user = _user(request)
    context: dict[str, Any] = {
        "name_form": _name_form(request),
        "email_form": _email_form(request),
        "password_form": _password_form(request),
        "preferences_form": _preferences_form(request),
        "notifications_form": _notifications_form(request),
        "pending_email_change": selectors.pending_email_change(user),
        "sessions": _session_rows(request),
        "confirmation_max_age_days": settings.EMAIL_CONFIRMATION_MAX_AGE_DAYS,
        "active_nav": "profile",
        **forms,
    }
    return render(request, "users/profile.html", context, status=status)


def _to_section(section: str) -> HttpResponse:
    return redirect(f"{reverse('profile')}#{section}")


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the page the person came from (``next``), if it is on this host."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("profile")
    return redirect(target)


@require_GET
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return _profile_page(request)


@require_POST
@login_required
def profile_name(request: HttpRequest) -> HttpResponse:
    form = _name_form(request, request.POST)
    if not form.is_valid():
        return _profile_page(request, name_form=form, status=400)
    services.user_name_change(user=_user(request), full_name=form.cleaned_data["full_name"])
    messages.success(request, _("Your name was saved."))
    return _to_section("name")


@require_POST
@login_required
def profile_email(request: HttpRequest) -> HttpResponse:
    form = _email_form(request, request.POST)
    if form.is_valid():
        try:
            confirmation = services.email_change_request(
                user=_user(request), new_email=form.cleaned_data["email"]
            )
        except WorkspaceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "We sent a link to %(email)s. Your address changes when you open it while "
                    "signed in."
                )
                % {"email": confirmation.email},
            )
            return _to_section("email")
    return _profile_page(request, email_form=form, status=400)


@require_POST
@login_required
def profile_email_cancel(request: HttpRequest) -> HttpResponse:
    if services.email_change_cancel(user=_user(request)):
        messages.success(request, _("The change of your email address was canceled."))
    return _to_section("email")


@require_POST
@login_required
def profile_password(request: HttpRequest) -> HttpResponse:
    form = _password_form(request, request.POST)
    if not form.is_valid():
        return _profile_page(request, password_form=form, status=400)
    signed_out = services.user_password_change(
        request=request, user=_user(request), password=form.cleaned_data["new_password1"]
    )
    message = _("Your password was changed.")
    if signed_out:
        message += " " + ngettext(
            "%(count)d other browser was signed out.",
            "%(count)d other browsers were signed out.",
            signed_out,
        ) % {"count": signed_out}
    messages.success(request, message)
    return _to_section("password")


@require_POST
@login_required
def profile_preferences(request: HttpRequest) -> HttpResponse:
    form = _preferences_form(request, request.POST)
    if not form.is_valid():
        return _profile_page(request, preferences_form=form, status=400)
    services.user_preferences_change(
        user=_user(request),
        language=form.cleaned_data["language"],
        time_zone=form.cleaned_data["time_zone"],
    )
    messages.success(request, _("Your language and time zone were saved."))
    return _to_section("preferences")


@require_POST
@login_required
def profile_notifications(request: HttpRequest) -> HttpResponse:
    form = _notifications_form(request, request.POST)
    if not form.is_valid():
        return _profile_page(request, notifications_form=form, status=400)
    services.user_notifications_change(user=_user(request), enabled=form.cleaned_data)
    messages.success(request, _("Your email notifications were saved."))
    return _to_section("notifications")


@require_POST
@login_required
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    """Sign one of the person's other browsers out (404 for anyone else's session)."""
    user_session = get_object_or_404(
        UserSession.objects.filter(user=_user(request)).exclude(
            session_key=request.session.session_key
        ),
        pk=session_id,
    )
    services.user_session_end(user_session=user_session)
    messages.success(request, _("That browser was signed out."))
    return _to_section("sessions")


@require_POST
@login_required
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    signed_out = services.user_sessions_end_others(
        user=_user(request), keep_session_key=str(request.session.session_key)
    )
    messages.success(
        request,
        ngettext(
            "%(count)d other browser was signed out.",
            "%(count)d other browsers were signed out.",
            signed_out,
        )
        % {"count": signed_out},
    )
    return _to_section("sessions")


@require_http_methods(["GET", "POST"])
@login_required
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from a verification or address-change email.

    It works only for the signed-in owner of the account it was sent for, on its own
    workspace's host; anything else is the same 404. Opening it shows what will happen; the
    button confirms (mail scanners that follow links change nothing).
    """
    confirmation = services.email_confirmation_for_token(token=token, user=_user(request))
    if confirmation is None:
        return render(request, "users/email_confirm_invalid.html", status=404)
    if request.method == "POST":
        try:
            user = services.email_confirm(confirmation=confirmation)
        except WorkspaceError as error:
            messages.error(request, str(error))
        else:
            request.session.pop(VERIFICATION_BANNER_HIDDEN, None)
            messages.success(
                request, _("Your email address %(email)s is confirmed.") % {"email": user.email}
            )
        return _to_section("email")
    return render(request, "users/email_confirm.html", {"confirmation": confirmation})


@require_POST
@login_required
def email_verification_resend(request: HttpRequest) -> HttpResponse:
    try:
        confirmation = services.email_verification_resend(user=_user(request))
    except WorkspaceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("We sent a new link to %(email)s. It works for %(days)d days.")
            % {"email": confirmation.email, "days": settings.EMAIL_CONFIRMATION_MAX_AGE_DAYS},
        )
    return _back(request)


@require_POST
@login_required
def verification_banner_hide(request: HttpRequest) -> HttpResponse:
    """Close the "verify your address" banner until the next sign-in."""
    request.session[VERIFICATION_BANNER_HIDDEN] = True
    if getattr(request, "htmx", False):
        return HttpResponse("")
    return _back(request)
