"""Public-site pages of the tenants app: the landing page, health, and the ops home."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tenants.selectors import customer_tenants
from tenants.users.permissions import staff_required


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "public/landing.html")


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Load balancer check: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
@staff_required
def ops_home(request: HttpRequest) -> HttpResponse:
    """Provider operations: every customer workspace and its status."""
    return render(request, "ops/home.html", {"tenants": customer_tenants().order_by("-created_at")})
