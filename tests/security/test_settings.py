"""Attack: find a deployment whose settings let an outsider in.

Production settings must refuse to start when billing events could be forged (the sandbox
without an explicit demo flag, the public default secret, Stripe without a webhook secret),
and no settings module except ``local`` may ever show Django's debug pages. Each case starts
a fresh interpreter, because settings are read once at start-up.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_SECRET = "x" * 20 + "a-private-production-secret-key-0123456789"
SANDBOX_SECRET = "a-private-sandbox-signing-secret-0123456789"


def _start(settings_module: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Load ``settings_module`` as a fresh process would and print DEBUG."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "BILLING_"))}
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": settings_module,
            "ALLOWED_HOSTS": "rapport.example,.rapport.example",
            "SECRET_KEY": STRONG_SECRET,
            **env,
        }
    )
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(  # noqa: S603 -- our own interpreter and fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_production_refuses_the_sandbox_without_the_demo_flag() -> None:
    """No Stripe key and no demo flag: start-up fails and says what to set."""
    result = _start("config.settings.production")
    assert result.returncode != 0
    assert "No payment gateway" in result.stderr


def test_production_refuses_the_public_sandbox_secret() -> None:
    """A demo deployment with the README's sandbox secret does not start."""
    result = _start(
        "config.settings.production",
        BILLING_SANDBOX_ENABLED="true",
        BILLING_SANDBOX_WEBHOOK_SECRET="whsec_rapport_sandbox_local",
    )
    assert result.returncode != 0
    assert "BILLING_SANDBOX_WEBHOOK_SECRET" in result.stderr


def test_production_refuses_stripe_without_a_webhook_secret() -> None:
    """Stripe without its endpoint secret could not verify events: start-up fails."""
    result = _start("config.settings.production", STRIPE_SECRET_KEY="sk_live_x")
    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET" in result.stderr


def test_production_refuses_a_weak_secret_key() -> None:
    """A short or default SECRET_KEY stops start-up."""
    result = _start(
        "config.settings.production",
        STRIPE_SECRET_KEY="sk_live_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
        SECRET_KEY="short",
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_stripe_configured() -> None:
    """Stripe with its webhook secret starts, debug off."""
    result = _start(
        "config.settings.production",
        STRIPE_SECRET_KEY="sk_live_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
    )
    assert (result.returncode, result.stdout.strip()) == (0, "False"), result.stderr


def test_production_starts_as_an_explicit_demo() -> None:
    """The sandbox runs in production only as an explicit demo with a private secret."""
    result = _start(
        "config.settings.production",
        BILLING_SANDBOX_ENABLED="true",
        BILLING_SANDBOX_WEBHOOK_SECRET=SANDBOX_SECRET,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "False"), result.stderr


@pytest.mark.parametrize(
    "settings_module",
    ["config.settings.base", "config.settings.test", "config.settings.production"],
)
def test_debug_pages_stay_off_outside_local_settings(settings_module: str) -> None:
    """DEBUG=true in the environment turns debug pages on nowhere but ``local``."""
    result = _start(
        settings_module,
        DEBUG="true",
        STRIPE_SECRET_KEY="sk_live_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
    )
    assert (result.returncode, result.stdout.strip()) == (0, "False"), result.stderr
