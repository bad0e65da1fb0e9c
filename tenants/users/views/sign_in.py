"""Signing in and resetting a password, on workspace hosts and the ops console."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import ngettext
from django_ratelimit.exceptions import Ratelimited

from tenants.ratelimits import client_ip
from tenants.users import services
from tenants.users.forms import EmailAuthenticationForm, StaffAuthenticationForm
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
