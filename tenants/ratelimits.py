"""Per-IP rate limits for abuse-prone forms, read from settings at request time."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.decorators import ratelimit


def _setting_rate(name: str) -> Callable[[str, HttpRequest], str]:
    def rate(group: str, request: HttpRequest) -> str:
        return str(getattr(settings, name))

    return rate


signup_rate_limit = ratelimit(
    key="ip", rate=_setting_rate("SIGNUP_RATE_LIMIT"), method="POST", block=True
)
login_rate_limit = ratelimit(
    key="ip", rate=_setting_rate("LOGIN_RATE_LIMIT"), method="POST", block=True
)
lookup_rate_limit = ratelimit(
    key="ip", rate=_setting_rate("LOOKUP_RATE_LIMIT"), method="POST", block=True
)
