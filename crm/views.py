"""Workspace pages. The modules of later issues replace the placeholders."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tenants.users.selectors import workspace_users

#: Navigation modules that arrive in later releases, shown as "coming soon".
UPCOMING_MODULES = {
    "contacts": (_("Contacts"), "ti-address-book"),
    "companies": (_("Companies"), "ti-building"),
    "deals": (_("Deals"), "ti-layout-kanban"),
    "activities": (_("Activities"), "ti-calendar-event"),
}


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "crm/dashboard.html",
        {"active_nav": "dashboard", "team_size": workspace_users().filter(is_active=True).count()},
    )


@require_GET
@login_required
def upcoming_module(request: HttpRequest, module: str) -> HttpResponse:
    title, icon = UPCOMING_MODULES[module]
    return render(
        request,
        "crm/coming_soon.html",
        {"active_nav": module, "module_title": title, "module_icon": icon},
    )
