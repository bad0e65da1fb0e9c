"""Outgoing webhooks: where a rule may call, how the body is signed, and the call itself.

A rule's webhook receives a JSON body with the header
``X-Rapport-Signature: sha256=<hex HMAC-SHA256 of the raw body with the rule's secret>``.
Only ``https`` addresses are called unless ``AUTOMATION_WEBHOOK_HTTPS_ONLY`` is off
(development), and never an address that resolves to a private, loopback, link-local or
otherwise reserved network unless ``AUTOMATION_WEBHOOK_ALLOW_PRIVATE`` is on (development
only): a workspace cannot reach the provider's own network. Redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

SIGNATURE_HEADER = "X-Rapport-Signature"
#: Seconds a webhook call may take before it counts as failed (and is retried).
TIMEOUT_SECONDS = 5


class WebhookRefusedError(Exception):
    """The address may not be called (scheme or network): retrying cannot help."""


def webhook_secret_new() -> str:
    return secrets.token_hex(32)


def signature(secret: str, body: bytes) -> str:
    """The value of the signature header for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _address_refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


Resolver = Callable[[str, int], list[str]]


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def webhook_url_check(url: str, *, resolve: bool = True, resolver: Resolver | None = None) -> None:
    """Raise :class:`WebhookRefusedError` (a message for the admin) if ``url`` may not be called.

    With ``resolve`` the host name is looked up and every address it has must be public;
    without (when a rule is saved) only literal addresses and local names are checked.
    """
    parts = urlsplit(url.strip())
    allowed = {"https"} if settings.AUTOMATION_WEBHOOK_HTTPS_ONLY else {"https", "http"}
    if parts.scheme not in allowed:
        raise WebhookRefusedError(_("The webhook address must start with https://."))
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise WebhookRefusedError(_("The webhook address has no host."))
    if settings.AUTOMATION_WEBHOOK_ALLOW_PRIVATE:
        return
    refusal = _("The webhook address points to a private or local network.")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise WebhookRefusedError(refusal)
    try:
        literal = [str(ipaddress.ip_address(host))]
    except ValueError:
        literal = []
    addresses = literal
    if not literal and resolve:
        try:
            addresses = (resolver or _resolve)(host, parts.port or 443)
        except (OSError, UnicodeError) as error:
            raise ConnectionError(f"Could not resolve {host}: {error}") from error
    if any(_address_refused(address) for address in addresses):
        raise WebhookRefusedError(refusal)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def webhook_post(*, url: str, body: str, secret: str) -> int:
    """POST the signed body; returns the status. Raises on refusal, timeout or an error status."""
    webhook_url_check(url)
    data = body.encode()
    request = urllib.request.Request(  # noqa: S310 -- the scheme is checked above
        url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Rapport-Webhooks/1",
            SIGNATURE_HEADER: signature(secret, data),
        },
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = int(response.status)
    except urllib.error.HTTPError as error:
        raise ConnectionError(f"The webhook answered {error.code}.") from error
    if status >= 300:
        raise ConnectionError(f"The webhook answered {status}.")
    return status
