"""Rules for workspace slugs, the left-most label of a workspace's hostname."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SLUG_MIN_LENGTH = 3
SLUG_MAX_LENGTH = 40

#: Hostnames that belong to the provider, or that a customer could use to impersonate it.
RESERVED_SLUGS = frozenset(
    {
        "admin", "api", "app", "assets", "auth", "billing", "blog", "cdn", "dashboard",
        "dev", "docs", "ftp", "help", "imap", "login", "mail", "media", "mx", "ns", "ns1", "ns2",
        "ops", "pop", "postgres", "public", "rapport", "redis", "root", "sandbox", "signup", "smtp",
        "staff", "stage", "staging", "static", "status", "stripe", "support", "system", "template",
        "test", "webhooks", "webmail", "www",
    }
)  # fmt: skip

_SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


def validate_workspace_slug(value: str) -> None:
    """Reject slugs that are not a safe, provider-neutral DNS label.

    Underscores are refused because Django rejects such hostnames (the tenant would be a
    400/404); ``xn--`` labels are refused because punycode can imitate other names.
    """
    if len(value) < SLUG_MIN_LENGTH:
        raise ValidationError(
            _("Use at least %(min)d characters."), code="too_short", params={"min": SLUG_MIN_LENGTH}
        )
    if len(value) > SLUG_MAX_LENGTH:
        raise ValidationError(
            _("Use at most %(max)d characters."), code="too_long", params={"max": SLUG_MAX_LENGTH}
        )
    if not _SLUG_PATTERN.match(value):
        raise ValidationError(
            _(
                "Use lowercase letters, digits and hyphens only, "
                "starting and ending with a letter or digit."
            ),
            code="invalid_characters",
        )
    if "--" in value:
        raise ValidationError(_("Do not use two hyphens in a row."), code="double_hyphen")
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("This address is reserved. Please choose another."), code="reserved"
        )
