"""Tenants app pages: health, rate-limit answer, handoff login (workspace host)."""

from __future__ import annotations

from django.contrib.auth import login
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tenants.handoff import HandoffError, handoff_token_redeem
from tenants.selectors import request_tenant
from tenants.users.models import User


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Load balancer check: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer for a client over a per-IP limit (django-ratelimit's RATELIMIT_VIEW)."""
    return render(request, "429.html", status=429)


@require_GET
def handoff(request: HttpRequest) -> HttpResponse:
    """Sign in the new workspace's admin with the single-use token from the public site."""
    tenant = request_tenant(request)
    try:
        grant = handoff_token_redeem(token=request.GET.get("token", ""), tenant=tenant)
        user = User.objects.get(pk=grant.user_id, is_active=True)
    except (HandoffError, User.DoesNotExist) as error:
        reason = str(error) if isinstance(error, HandoffError) else _("This account is not active.")
        return render(request, "tenants/handoff_refused.html", {"reason": reason}, status=403)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("dashboard")
