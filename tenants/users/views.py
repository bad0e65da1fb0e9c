"""Workspace user pages: sign-in, password reset, the admin's users settings, invitations."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.exceptions import Ratelimited

from tenants.errors import WorkspaceError
from tenants.ratelimits import client_ip
from tenants.selectors import request_tenant, workspace_url
from tenants.users import selectors, services
from tenants.users.forms import (
    AcceptInvitationForm,
    EmailAuthenticationForm,
    InvitationForm,
    RoleForm,
    StaffAuthenticationForm,
)
from tenants.users.models import Invitation, User
from tenants.users.permissions import admin_required
from tenants.users.throttling import (
    DEVICE_COOKIE_MAX_AGE,
    DEVICE_COOKIE_NAME,
    LoginAttempt,
    LoginBudgetSpentError,
    login_attempt_admit,
    login_attempt_failed,
    login_attempt_succeeded,
    login_failures_forget,
)


class ThrottledLoginView(auth_views.LoginView):
    """Sign-in under the per-IP budget and the per-account lockout (tenants.users.throttling).

    Over the IP budget: the 429 page. Account locked for this browser: the form again, with
    the wait, status 429, and the password is not checked.
    """

    redirect_authenticated_user = True
    attempt: LoginAttempt

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            self.attempt = login_attempt_admit(
                ip=client_ip(request),
                email=request.POST.get("username", ""),
                device_token=request.COOKIES.get(DEVICE_COOKIE_NAME, ""),
            )
        except LoginBudgetSpentError as error:
            raise Ratelimited from error
        if not self.attempt.admitted:
            return self._locked_response(self.attempt)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        response.set_cookie(
            DEVICE_COOKIE_NAME,
            login_attempt_succeeded(attempt=self.attempt),
            max_age=int(DEVICE_COOKIE_MAX_AGE.total_seconds()),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        login_attempt_failed(attempt=self.attempt)
        return super().form_invalid(form)

    def _locked_response(self, attempt: LoginAttempt) -> HttpResponse:
        form = self.get_form_class()(self.request, initial={"username": attempt.email})
        minutes = max(1, math.ceil(attempt.wait_seconds / 60))
        lockout_message = ngettext(
            "Too many failed sign-ins for this account. Try again in %(minutes)d minute.",
            "Too many failed sign-ins for this account. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        context = self.get_context_data(form=form, lockout_message=lockout_message)
        return self.render_to_response(context, status=429)


class WorkspaceLoginView(ThrottledLoginView):
    form_class = EmailAuthenticationForm
    template_name = "users/login.html"


class OpsLoginView(ThrottledLoginView):
    form_class = StaffAuthenticationForm
    template_name = "users/ops_login.html"
    next_page = "ops_home"


class WorkspacePasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link: limited per IP (429 page) and per address (silently).

    The answer is the same redirect whatever the address; the email itself goes from a task.
    """

    template_name = "users/password_reset_form.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.password_reset_ip_admit(ip=client_ip(request)):
            raise Ratelimited
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        services.password_reset_request(email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class WorkspacePasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from the emailed link; it also lifts a sign-in lockout."""

    template_name = "users/password_reset_confirm.html"

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        login_failures_forget(email=form.user.email)
        return response


@require_GET
@admin_required
def users_settings(request: HttpRequest) -> HttpResponse:
    """The admin's list of users and pending invitations, with the invite form."""
    return render(
        request,
        "users/settings_users.html",
        {
            "users": selectors.workspace_users(),
            "invitations": selectors.pending_invitations(),
            "invite_form": InvitationForm(),
            "role_form_class": RoleForm,
            "active_nav": "settings",
        },
    )


@require_POST
@admin_required
def invitation_create(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST)
    if form.is_valid():
        accept_path = reverse("invitation_accept", kwargs={"token": "TOKEN"})
        template = workspace_url(request_tenant(request), accept_path).replace("TOKEN", "{token}")
        try:
            services.invitation_create(
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,  # type: ignore[arg-type]
                accept_url_template=template,
            )
        except WorkspaceError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("users_settings")
    return render(
        request,
        "users/settings_users.html",
        {
            "users": selectors.workspace_users(),
            "invitations": selectors.pending_invitations(),
            "invite_form": form,
            "role_form_class": RoleForm,
            "active_nav": "settings",
        },
        status=400,
    )


@require_POST
@admin_required
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.pending(), pk=invitation_id)
    services.invitation_revoke(invitation=invitation)
    messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    return redirect("users_settings")


@require_POST
@admin_required
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    try:
        services.user_deactivate(user=user, by=request.user)  # type: ignore[arg-type]
    except WorkspaceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s can no longer sign in.") % {"name": user})
    return redirect("users_settings")


@require_POST
@admin_required
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    try:
        services.user_reactivate(user=user)
    except WorkspaceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s can sign in again.") % {"name": user})
    return redirect("users_settings")


@require_POST
@admin_required
def user_change_role(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return redirect("users_settings")
    try:
        services.user_change_role(user=user, role=form.cleaned_data["role"], by=request.user)  # type: ignore[arg-type]
    except WorkspaceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s's role was changed.") % {"name": user})
    return redirect("users_settings")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's landing page: choose a name and password, then you are signed in."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "users/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except WorkspaceError as error:
            form.add_error(None, str(error))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            workspace_name = request_tenant(request).name
            messages.success(
                request, _("Welcome to %(workspace)s!") % {"workspace": workspace_name}
            )
            return redirect("dashboard")
    return render(request, "users/invitation_accept.html", {"form": form, "invitation": invitation})
