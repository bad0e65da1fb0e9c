"""The admin's users settings, invitations, and the invitee's landing page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.permissions import admin_required
from tenants.errors import WorkspaceError
from tenants.selectors import request_tenant, workspace_url
from tenants.users import selectors, services
from tenants.users.forms import AcceptInvitationForm, InvitationForm, RoleForm
from tenants.users.models import Invitation, User


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
