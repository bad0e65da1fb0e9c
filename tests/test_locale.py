"""Which language and time zone a page is in: Accept-Language and the switcher on the public
site, the workspace's default (and the switcher) on a workspace; money in each locale."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from core.locales import (
    country_currency,
    country_language,
    country_time_zone,
    currency_minor_units,
    format_money,
    money_quantize,
)
from tests.conftest import Workspace


def _language(response) -> str:
    return str(response["Content-Language"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("zh-SG", "zh-hans"),
        ("zh-TW,zh;q=0.9", "zh-hant"),
        ("zh-HK", "zh-hant"),
        ("zh-MO", "zh-hant"),
        ("en-GB,en;q=0.8", "en"),
        ("fr-FR", "en"),
    ],
)
def test_public_site_follows_accept_language(accept: str, expected: str) -> None:
    """Mainland and Singapore browsers get Simplified, Taiwan/HK/Macau Traditional."""
    response = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE=accept).get("/")
    assert _language(response) == expected
    assert f'<html lang="{expected}">' in response.content.decode()


@pytest.mark.django_db
def test_language_switcher_overrides_the_browser() -> None:
    """Choosing a language with the switcher sticks across pages (cookie)."""
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/pricing/"})
    assert response.status_code == 302
    assert _language(client.get("/pricing/")) == "zh-hant"


def test_workspace_pages_use_the_workspace_language(alpha: Workspace) -> None:
    """A workspace's sign-in page is in the workspace's language, whatever the browser says."""
    alpha.tenant.language = "zh-hans"
    alpha.tenant.save(update_fields=["language"])
    response = Client(HTTP_HOST=alpha.host, HTTP_ACCEPT_LANGUAGE="en").get("/login/")
    assert _language(response) == "zh-hans"


def test_switcher_on_a_workspace_overrides_its_default(alpha: Workspace) -> None:
    """Someone who picks a language on a workspace's sign-in page keeps it there."""
    alpha.tenant.language = "zh-hans"
    alpha.tenant.save(update_fields=["language"])
    client = Client(HTTP_HOST=alpha.host)
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert _language(client.get("/login/")) == "en"


def test_workspace_time_zone_applies_while_its_page_renders(alpha: Workspace, rf) -> None:
    """Dates on a workspace page are in the workspace's time zone; afterwards UTC again."""
    from django.contrib.auth.models import AnonymousUser

    from core.middleware import WorkspaceLocaleMiddleware

    alpha.tenant.time_zone = "Asia/Taipei"
    seen: list[str] = []

    def view(request):
        from django.http import HttpResponse

        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    request = rf.get("/")
    request.tenant = alpha.tenant
    request.user = AnonymousUser()
    WorkspaceLocaleMiddleware(view)(request)
    assert seen == ["Asia/Taipei"]
    assert timezone.get_current_timezone_name() == "UTC"


@pytest.mark.parametrize(
    ("country", "currency", "zone", "language"),
    [
        ("CN", "CNY", "Asia/Shanghai", "zh-hans"),
        ("TW", "TWD", "Asia/Taipei", "zh-hant"),
        ("HK", "HKD", "Asia/Hong_Kong", "zh-hant"),
        ("US", "USD", "America/New_York", "en"),
        ("DE", "EUR", "Europe/Berlin", "en"),
    ],
)
def test_country_suggests_currency_time_zone_and_language(
    country: str, currency: str, zone: str, language: str
) -> None:
    """A signup's country gives the workspace sensible defaults."""
    assert (country_currency(country), country_time_zone(country), country_language(country)) == (
        currency,
        zone,
        language,
    )


@pytest.mark.parametrize(("currency", "digits"), [("JPY", 0), ("CNY", 2), ("KWD", 3)])
def test_currencies_have_their_own_minor_units(currency: str, digits: int) -> None:
    """No cents for yen, two for yuan, three for Kuwaiti dinar."""
    assert currency_minor_units(currency) == digits
    assert money_quantize(Decimal("1.23456"), currency).as_tuple().exponent == -digits


@pytest.mark.parametrize(
    ("language", "currency", "expected"),
    [
        ("zh-hans", "CNY", "¥1,234.50"),
        ("en", "EUR", "€1,234.50"),
        ("en", "JPY", "¥1,235"),
    ],
)
def test_money_is_formatted_for_the_reader(language: str, currency: str, expected: str) -> None:
    """Symbol, separators and minor units follow the language and the currency."""
    assert format_money(Decimal("1234.5"), currency, language=language) == expected
