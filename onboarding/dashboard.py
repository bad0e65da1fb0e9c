"""The guided start on the CRM's dashboard: the first visit of a new workspace's admin goes
to the wizard, and a card shows the setup's progress (or a person's first steps) until it is
done or put away."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from onboarding import selectors

#: Set in the session once the wizard was shown on a first visit, so the dashboard opens
#: normally afterwards.
SHOWN_KEY = "guided_start_shown"


def _untouched(start: object) -> bool:
    """Nothing answered, skipped or put away yet: a brand-new workspace."""
    return not (
        getattr(start, "profile_saved_at", None)
        or getattr(start, "readiness_saved_at", None)
        or getattr(start, "skipped_steps", None)
        or getattr(start, "resume_step", "")
        or getattr(start, "dismissed_at", None)
        or getattr(start, "completed_at", None)
    )


class GuidedStartOnDashboard:
    def redirect(self, request: HttpRequest) -> str | None:
        """A new workspace's admin lands in the guided start, once per sign-in, until they
        answer, skip or dismiss something."""
        user = request.user
        if not getattr(user, "is_workspace_admin", False) or request.session.get(SHOWN_KEY):
            return None
        start = selectors.guided_start()
        if start is None or not _untouched(start):
            return None
        request.session[SHOWN_KEY] = True
        return reverse("guided_start")

    def panels(self, request: HttpRequest) -> list[SafeString]:
        user = request.user
        start = selectors.guided_start()
        if start is None:
            return []
        if getattr(user, "is_workspace_admin", False):
            if start.dismissed_at or start.completed_at:
                return []
            states = selectors.step_states(start, user=user)  # type: ignore[arg-type]
            if selectors.guided_start_finished(states):
                return []
            resume = selectors.resume_step(start, states)
            html = render_to_string(
                "onboarding/_setup_card.html",
                {
                    "states": states,
                    "done_count": sum(state.is_done for state in states),
                    "resume_url": reverse(selectors.STEP_URLS[resume]) if resume else "",
                },
                request=request,
            )
            return [mark_safe(html)]  # noqa: S308 -- rendered by our own template, autoescaped
        if not getattr(user, "can_write", False) or selectors.first_steps_dismissed(user):  # type: ignore[arg-type]
            return []
        steps = selectors.first_steps(user)  # type: ignore[arg-type]
        if steps.complete:
            return []
        html = render_to_string(
            "onboarding/_first_steps_card.html", {"steps": steps}, request=request
        )
        return [mark_safe(html)]  # noqa: S308 -- rendered by our own template, autoescaped
