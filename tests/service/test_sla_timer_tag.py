"""The SLA badge of the case list and page, rendered in Python for speed."""

from __future__ import annotations

import datetime

from django.utils import timezone, translation

from crm.service.sla import Timer
from crm.service.templatetags.sla import sla_timer


def test_a_running_clock_counts_down_with_its_due_moment() -> None:
    due = timezone.now() + datetime.timedelta(hours=2, minutes=1)
    html = sla_timer(Timer("first_response", due, "ok"))
    assert 'data-sla-state="ok"' in html
    assert "left" in html
    assert "First response due" in html


def test_a_breached_clock_says_how_late() -> None:
    due = timezone.now() - datetime.timedelta(hours=3, minutes=1)
    html = sla_timer(Timer("resolution", due, "breached"))
    assert "bg-red-lt" in html
    assert "3\xa0hours, 1\xa0minute overdue" in html


def test_paused_met_and_no_clock() -> None:
    assert "Paused" in sla_timer(Timer("resolution", None, "paused"))
    assert "SLA met" in sla_timer(Timer("", None, "met"))
    assert "—" in sla_timer(Timer("", None, "none"))


def test_the_badge_speaks_the_users_language() -> None:
    with translation.override("zh-hans"):
        html = sla_timer(Timer("", None, "met"))
    assert "SLA met" not in html
