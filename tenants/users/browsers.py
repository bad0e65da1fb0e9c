"""What a request says about the browser behind it, for the list of signed-in sessions."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

#: Longest User-Agent kept; real ones are well under this.
USER_AGENT_MAX_LENGTH = 512

#: (pattern, name) in order of precedence: Edge and Opera also claim to be Chrome, Chrome
#: claims to be Safari.
_BROWSERS = (
    (re.compile(r"Edg(?:e|A|iOS)?/"), "Edge"),
    (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"Firefox/|FxiOS/"), "Firefox"),
    (re.compile(r"Chrome/|CriOS/|Chromium/"), "Chrome"),
    (re.compile(r"Safari/"), "Safari"),
)
_SYSTEMS = (
    (re.compile(r"iPhone|iPad|iPod"), "iOS"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Mac OS X|Macintosh"), "macOS"),
    (re.compile(r"Linux"), "Linux"),
)


@dataclass(frozen=True)
class Browser:
    user_agent: str
    ip_address: str | None


def browser_from_request(request: HttpRequest) -> Browser:
    """The User-Agent and client IP (``RATELIMIT_IP_META_KEY``, as the rate limits read it)."""
    user_agent = str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_MAX_LENGTH]
    raw_ip = str(request.META.get(settings.RATELIMIT_IP_META_KEY, "")).split(",")[0].strip()
    try:
        ip_address: str | None = str(ipaddress.ip_address(raw_ip))
    except ValueError:
        ip_address = None
    return Browser(user_agent=user_agent, ip_address=ip_address)


def user_agent_summary(user_agent: str) -> str:
    """ "Firefox on Windows": enough for a person to recognise their own devices.

    Only a label: nothing decides anything by it, so a short list of well-known names is
    enough and no parser library is needed.
    """
    browser = next((name for pattern, name in _BROWSERS if pattern.search(user_agent)), "")
    system = next((name for pattern, name in _SYSTEMS if pattern.search(user_agent)), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown browser")
