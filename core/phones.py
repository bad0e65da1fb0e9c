"""Phone numbers parsed and stored in E.164, shown the way the reader dials them.

Google's ``phonenumbers`` reads a number in any formatting, with the workspace's country as
the default region: ``138 0013 8000``, ``+86 13800138000`` and ``13800138000`` are one number
(``+8613800138000``) in a mainland workspace. A number of the workspace's own country is shown
in national format, others internationally.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.policies import current_workspace

E164 = phonenumbers.PhoneNumberFormat.E164


def workspace_region() -> str | None:
    """The default region for numbers typed without a country code (the workspace's)."""
    workspace = current_workspace()
    country = str(getattr(workspace, "country", "") or "")
    return country.upper() or None


#: How :func:`_e164` reports a number it cannot store.
_UNPARSEABLE, _INVALID = "unparseable", "invalid"


@lru_cache(maxsize=4096)
def phone_parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """``text`` parsed with ``region`` as the default (``None``: not a phone number). Parsing
    is the costly part of reading a number and a pure function of the text and the region:
    an import reads each row's numbers several times within a chunk, so the latest answers
    are kept (a chunk's worth: memory stays flat in the file's size). The result is shared:
    never change it."""
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


@lru_cache(maxsize=4096)
def _e164(text: str, region: str | None) -> tuple[str, str]:
    """``(E.164, "")`` for a valid number, else ``("", why)``."""
    number = phone_parse(text, region)
    if number is None:
        return "", _UNPARSEABLE
    if not phonenumbers.is_valid_number(number):
        return "", _INVALID
    return phonenumbers.format_number(number, E164), ""


def phone_normalise(raw: str, *, region: str | None = None) -> str:
    """``raw`` as E.164 (``+8613800138000``); ``""`` for an empty value.

    Raises :class:`ValidationError` with a message a person can act on when it is not a
    possible number. Without a default region (a workspace without a country), a number
    without ``+`` cannot be checked and is kept as typed.
    """
    text = (raw or "").strip()
    if not text:
        return ""
    region = region if region is not None else workspace_region()
    stored, problem = _e164(text, region)
    if problem == _UNPARSEABLE:
        if region is None and not text.startswith("+"):
            return text
        raise ValidationError(
            _("%(number)s is not a phone number. Include the country code, e.g. +86 …")
            % {"number": text}
        )
    if problem == _INVALID:
        raise ValidationError(
            _("%(number)s is not a valid phone number. Check the digits and the country code.")
            % {"number": text}
        )
    return stored


def phone_display(value: str, *, region: str | None = None) -> str:
    """A stored number as its reader dials it: national within the workspace's country,
    international otherwise; anything unparseable as stored."""
    if not value:
        return ""
    return _phone_display(value, region if region is not None else workspace_region())


@lru_cache(maxsize=4096)
def _phone_display(value: str, region: str | None) -> str:
    """Formatting is pure (number and region in, text out) and costs ≈ 0.1 ms: a list shows
    25 numbers per page, the same ones page after page."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return value
    same_country = region is not None and phonenumbers.region_code_for_number(number) == region
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if same_country
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def phone_key(raw: str, *, region: str | None = None) -> str:
    """The number to compare duplicates by (E.164 when it parses, else the digits)."""
    try:
        return phone_normalise(raw, region=region)
    except ValidationError:
        return "".join(ch for ch in raw if ch.isdigit())
