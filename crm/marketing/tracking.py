"""Signatures of a campaign recipient's public links (open pixel, click, unsubscribe).

Each link carries the recipient's random token and an HMAC of it bound to the workspace's
schema, so a guessed or altered link, or one opened on another workspace's host, is a 404.
"""

from __future__ import annotations

import hmac

from django.utils.crypto import salted_hmac

from tenants.connection import current_schema_name

_SALT = "rapport.marketing.campaign"


def tracking_signature(token: str) -> str:
    return salted_hmac(_SALT, f"{current_schema_name()}:{token}").hexdigest()[:32]


def tracking_signature_valid(token: str, signature: str) -> bool:
    return hmac.compare_digest(tracking_signature(token), signature)
