"""Outgoing webhooks: where a rule may call, how the body is signed, and the call itself.

A rule's webhook receives a JSON body with the header
``X-Rapport-Signature: sha256=<hex HMAC-SHA256 of the raw body with the rule's secret>``.
Only ``https`` addresses are called unless ``AUTOMATION_WEBHOOK_HTTPS_ONLY`` is off
(development), and never an address that resolves to a private, loopback, link-local or
otherwise reserved network unless ``AUTOMATION_WEBHOOK_ALLOW_PRIVATE`` is on (development
only): a workspace cannot reach the provider's own network. The call connects to the address
that was checked, and redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import secrets
import socket
import ssl
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


def webhook_url_check(
    url: str, *, resolve: bool = True, resolver: Resolver | None = None
) -> list[str]:
    """Raise :class:`WebhookRefusedError` (a message for the admin) if ``url`` may not be called.

    With ``resolve`` the host name is looked up and every address it has must be public; the
    checked addresses are returned, and the call connects to one of them (so a DNS answer
    that changes between the check and the call cannot lead elsewhere). Without (when a rule
    is saved) only literal addresses and local names are checked.
    """
    parts = urlsplit(url.strip())
    allowed = {"https"} if settings.AUTOMATION_WEBHOOK_HTTPS_ONLY else {"https", "http"}
    if parts.scheme not in allowed:
        raise WebhookRefusedError(_("The webhook address must start with https://."))
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise WebhookRefusedError(_("The webhook address has no host."))
    private_allowed = bool(settings.AUTOMATION_WEBHOOK_ALLOW_PRIVATE)
    refusal = _("The webhook address points to a private or local network.")
    local_name = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
    if local_name and not private_allowed:
        raise WebhookRefusedError(refusal)
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = []
    if not addresses and resolve:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = (resolver or _resolve)(host, port)
        except (OSError, UnicodeError) as error:
            raise ConnectionError(f"Could not resolve {host}: {error}") from error
    if not private_allowed and any(_address_refused(address) for address in addresses):
        raise WebhookRefusedError(refusal)
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to a checked address while speaking to the URL's host name."""

    def __init__(self, host: str, port: int | None, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to a checked address, verifying the certificate of the URL's host name."""

    def __init__(self, host: str, port: int | None, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.pinned_address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def webhook_post(*, url: str, body: str, secret: str) -> int:
    """POST the signed body; returns the status. Raises on refusal, timeout or an error status
    (a redirect counts as an error: it is never followed)."""
    addresses = webhook_url_check(url)
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    address = addresses[0] if addresses else host
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, parts.port, address=address, timeout=TIMEOUT_SECONDS)
    data = body.encode()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "POST",
            path,
            body=data,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Rapport-Webhooks/1",
                SIGNATURE_HEADER: signature(secret, data),
            },
        )
        status = int(connection.getresponse().status)
    finally:
        connection.close()
    if status >= 300:
        raise ConnectionError(f"The webhook answered {status}.")
    return status
