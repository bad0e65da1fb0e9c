"""Receivers that hand Django's sign-in and sign-out signals to the session services.

Every way into an account (the sign-in form, the signup handoff, an accepted invitation, the
ops console) goes through ``django.contrib.auth.login``, which sends ``user_logged_in``; so
the session is recorded once, here, whichever view signed the person in.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from tenants.users.browsers import browser_from_request
from tenants.users.models import User
from tenants.users.services import user_session_forget, user_session_record


@receiver(user_logged_in, dispatch_uid="users.session_record")
def session_record_on_sign_in(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        # login() flushed another account's session: give this one its key now.
        request.session.save()
    user_session_record(
        user=user,
        session_key=str(request.session.session_key),
        browser=browser_from_request(request),
    )


@receiver(user_logged_out, dispatch_uid="users.session_forget")
def session_forget_on_sign_out(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session") and request.session.session_key:
        user_session_forget(session_key=request.session.session_key)
