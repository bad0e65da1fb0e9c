"""What higher apps add to the CRM's dashboard, which may not import them.

The dashboard is the CRM's page (``crm``), but the guided start lives in ``onboarding``, a
layer above it. Onboarding registers a contribution here when its app is ready; the dashboard
asks for a page to go to instead (a new workspace's admin is taken to the guided start on
their first visit) and for panels to show above its cards (the setup progress card). Without
contributions the dashboard is just the CRM's.
"""

from __future__ import annotations

from typing import Protocol

from django.http import HttpRequest
from django.utils.safestring import SafeString


class DashboardContribution(Protocol):
    def redirect(self, request: HttpRequest) -> str | None:
        """A URL to show instead of the dashboard, or ``None`` to show the dashboard."""

    def panels(self, request: HttpRequest) -> list[SafeString]:
        """Rendered cards to show at the top of the dashboard (none when nothing to say)."""


_contributions: list[DashboardContribution] = []


def dashboard_contribution_add(contribution: DashboardContribution) -> None:
    """Register ``contribution`` once (app ``ready()`` may run more than once in tests)."""
    if not any(type(existing) is type(contribution) for existing in _contributions):
        _contributions.append(contribution)


def dashboard_redirect(request: HttpRequest) -> str | None:
    """The first URL a contribution asks the dashboard to go to, if any."""
    for contribution in _contributions:
        url = contribution.redirect(request)
        if url:
            return url
    return None


def dashboard_panels(request: HttpRequest) -> list[SafeString]:
    return [panel for contribution in _contributions for panel in contribution.panels(request)]
