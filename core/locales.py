"""Countries, currencies, time zones and money formats, named in the reader's language.

Babel (CLDR data) supplies localized country and currency names, each currency's minor units
(ISO 4217: none for JPY, two for CNY) and locale-aware number and money formats, so Rapport
shows ``¥1,234,567.50`` to a mainland user and ``1.234.567,50 €`` where that is the custom,
without keeping tables of its own.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import available_timezones

from babel import Locale
from babel.core import get_global
from babel.numbers import format_currency, format_decimal, get_currency_precision
from babel.numbers import get_territory_currencies as _territory_currencies
from django.utils.translation import get_language

#: Rapport's languages (settings.LANGUAGES codes) as CLDR locales.
BABEL_LOCALES = {"en": "en", "zh-hans": "zh_Hans", "zh-hant": "zh_Hant"}
#: Countries spread over several zones: the zone most of their businesses work in.
MAIN_TIME_ZONES = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CN": "Asia/Shanghai",
    "ID": "Asia/Jakarta",
    "KZ": "Asia/Almaty",
    "MX": "America/Mexico_City",
    "RU": "Europe/Moscow",
    "US": "America/New_York",
}
#: Where most of Rapport's customers are; listed first in the country and currency pickers.
COMMON_COUNTRIES = ("CN", "TW", "HK", "MO", "SG", "MY", "US", "GB", "DE", "JP")
COMMON_CURRENCIES = ("CNY", "TWD", "HKD", "MOP", "SGD", "MYR", "USD", "EUR", "GBP", "JPY")
#: Currencies still in use for trade (CLDR lists historic ones too).
_RETIRED = frozenset({"XXX", "XTS", "XAU", "XAG", "XPD", "XPT", "XDR", "XSU", "XUA", "XBA"})


def babel_locale(language: str | None = None, country: str = "") -> Locale:
    """The CLDR locale for a Rapport language (the active one by default), in ``country``."""
    code = BABEL_LOCALES.get((language or get_language() or "en").lower(), "en")
    if country:
        try:
            return Locale.parse(f"{code}_{country}")
        except (ValueError, LookupError):
            pass
    return Locale.parse(code)


@lru_cache(maxsize=8)
def _country_names(language: str) -> dict[str, str]:
    territories = babel_locale(language).territories
    return {code: name for code, name in territories.items() if len(code) == 2 and code.isalpha()}


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Countries for a select: the common markets first, then all, by localized name."""
    names = _country_names((language or get_language() or "en").lower())
    common = [(code, names[code]) for code in COMMON_COUNTRIES if code in names]
    rest = sorted(
        ((code, name) for code, name in names.items() if code not in COMMON_COUNTRIES),
        key=lambda item: item[1],
    )
    return common + rest


def country_name(code: str, language: str | None = None) -> str:
    return _country_names((language or get_language() or "en").lower()).get(code, code)


@lru_cache(maxsize=8)
def _currency_names(language: str) -> dict[str, str]:
    names = babel_locale(language).currencies
    active = {code for codes in _all_territory_currencies().values() for code in codes}
    return {code: names.get(code, code) for code in sorted(active - _RETIRED)}


@lru_cache(maxsize=1)
def _all_territory_currencies() -> dict[str, list[str]]:
    territories = get_global("territory_currencies")
    return {
        territory: _territory_currencies(territory, tender=True)
        for territory in territories
        if len(territory) == 2 and territory.isalpha()
    }


def currency_codes() -> frozenset[str]:
    """ISO 4217 codes of the currencies in use today."""
    return frozenset(_currency_names("en"))


def currency_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Currencies for a select, ``"CNY — 人民币"``: the common ones first, then by code."""
    names = _currency_names((language or get_language() or "en").lower())
    label = "{code} — {name}".format
    common = [(code, label(code=code, name=names[code])) for code in COMMON_CURRENCIES]
    rest = [
        (code, label(code=code, name=name))
        for code, name in names.items()
        if code not in COMMON_CURRENCIES
    ]
    return common + rest


def currency_minor_units(code: str) -> int:
    """How many decimals the currency has (ISO 4217): 0 for JPY, 2 for CNY, 3 for KWD."""
    return int(get_currency_precision(code))


def money_quantize(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded to the currency's minor units (half up, as invoices do)."""
    exponent = Decimal(1).scaleb(-currency_minor_units(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def format_money(
    amount: Decimal | int | float, currency: str, *, language: str | None = None, country: str = ""
) -> str:
    """``amount`` in ``currency`` as the reader expects to see it (symbol, separators)."""
    return str(
        format_currency(
            money_quantize(Decimal(amount), currency),
            currency,
            locale=babel_locale(language, country),
            currency_digits=True,
        )
    )


def format_number(value: Decimal | int | float, *, language: str | None = None) -> str:
    return str(format_decimal(value, locale=babel_locale(language)))


def country_currency(country: str) -> str:
    """The currency a business in ``country`` most likely counts in (``""`` if unknown)."""
    currencies = _all_territory_currencies().get(country.upper(), [])
    return currencies[0] if currencies else ""


def country_time_zone(country: str) -> str:
    """The time zone most businesses of ``country`` work in (``"UTC"`` if unknown)."""
    country = country.upper()
    if country in MAIN_TIME_ZONES:
        return MAIN_TIME_ZONES[country]
    zones = [zone for zone in get_global("territory_zones").get(country, []) if is_time_zone(zone)]
    return zones[0] if zones else "UTC"


def country_language(country: str) -> str:
    """Rapport's language for a business in ``country``: Chinese in its script, else English."""
    country = country.upper()
    if country in {"TW", "HK", "MO"}:
        return "zh-hant"
    if country in {"CN", "SG"}:
        return "zh-hans"
    return "en"


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    return name in _time_zones()


def time_zone_choices() -> list[tuple[str, str]]:
    """IANA zones for a select, by name (``Asia/Shanghai``), UTC first."""
    zones = sorted(zone for zone in _time_zones() if "/" in zone and not zone.startswith("Etc/"))
    return [("UTC", "UTC"), *[(zone, zone.replace("_", " ")) for zone in zones]]


def validate_currency_code(value: str) -> None:
    """An ISO 4217 code of a currency in use (``CNY``), as a Django validator."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext

    if str(value).upper() not in currency_codes():
        raise ValidationError(
            gettext("%(code)s is not a currency code; choose one from the list.") % {"code": value}
        )


def validate_amount_for_currency(amount: Decimal, currency: str) -> None:
    """An amount may not be finer than its currency's minor unit (no cents for JPY)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext

    if currency.upper() not in currency_codes() or amount is None:
        return
    if money_quantize(Decimal(amount), currency) != Decimal(amount):
        digits = currency_minor_units(currency)
        if digits == 0:
            message = gettext("%(currency)s has no smaller unit: enter a whole amount.")
        else:
            message = gettext("%(currency)s has %(digits)s decimals at most.")
        raise ValidationError(message % {"currency": currency, "digits": digits})
