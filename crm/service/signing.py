"""Signed values of the public service pages: CSAT links and the web form's key.

Each signature is salted with the workspace's schema, so a link or a form key of one
workspace does not verify on another workspace's host (that host answers 404).
"""

from __future__ import annotations

from django.core import signing

from crm.service.models import Case
from tenants.connection import current_schema_name

#: How long a CSAT link works after resolution (days).
CSAT_MAX_AGE_DAYS = 60
#: How long a rendered web form accepts its submission (seconds).
FORM_KEY_MAX_AGE = 6 * 60 * 60


def _salt(purpose: str) -> str:
    return f"rapport.service.{purpose}:{current_schema_name()}"


def csat_token(case: Case) -> str:
    return signing.dumps({"case": case.pk}, salt=_salt("csat"), compress=True)


def csat_case_id(token: str) -> int | None:
    """The case a CSAT token names in this workspace; ``None`` when it is not one of ours."""
    try:
        value = signing.loads(token, salt=_salt("csat"), max_age=CSAT_MAX_AGE_DAYS * 86400)
    except signing.BadSignature:
        return None
    case_id = value.get("case") if isinstance(value, dict) else None
    return case_id if isinstance(case_id, int) else None


def form_key() -> str:
    return signing.TimestampSigner(salt=_salt("webform")).sign("case-form")


def form_key_valid(key: str) -> bool:
    try:
        return (
            signing.TimestampSigner(salt=_salt("webform")).unsign(key, max_age=FORM_KEY_MAX_AGE)
            == "case-form"
        )
    except signing.BadSignature:
        return False
