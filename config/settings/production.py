"""Production: secure by default; every secret must come from the environment.

Start-up fails with :class:`~django.core.exceptions.ImproperlyConfigured` and a sentence
saying what to set when a secret is missing or would let an outsider forge billing events.
"""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403 -- settings modules extend the base namespace
from config.settings.base import (
    BILLING_SANDBOX_DEFAULT_WEBHOOK_SECRET,
    DEVELOPMENT_SECRET_KEY,
    env,
)

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # required: no default in production
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")  # required: e.g. "rapport.app,.rapport.app"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    #: Preloading is a one-way commitment for the whole domain; a deployment opts in with
    #: SECURE_HSTS_PRELOAD=true, so its absence is a decision, not an oversight.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SITE_SCHEME = env.str("SITE_SCHEME", default="https")
SITE_PORT = env.str("SITE_PORT", default="")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Billing: no forgeable events -------------------------------------------------------------

STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
#: The sandbox takes fake cards and signs its own events: only for an explicit demo.
BILLING_SANDBOX_ENABLED = env.bool("BILLING_SANDBOX_ENABLED", default=False)
BILLING_SANDBOX_WEBHOOK_SECRET = env.str("BILLING_SANDBOX_WEBHOOK_SECRET", default="")


def billing_configuration_problem(
    *,
    stripe_secret_key: str,
    stripe_webhook_secret: str,
    sandbox_enabled: bool,
    sandbox_webhook_secret: str,
) -> str:
    """Why this billing configuration must not serve customers, or ``""`` if it may."""
    if stripe_secret_key:
        if not stripe_webhook_secret.startswith("whsec_"):
            return (
                "STRIPE_WEBHOOK_SECRET must be the endpoint's signing secret (whsec_...) "
                "when STRIPE_SECRET_KEY is set; without it webhook events cannot be verified."
            )
        return ""
    if not sandbox_enabled:
        return (
            "No payment gateway: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, or set "
            "BILLING_SANDBOX_ENABLED=true for a demo deployment that takes no real payments."
        )
    if len(sandbox_webhook_secret) < 32 or sandbox_webhook_secret == (
        BILLING_SANDBOX_DEFAULT_WEBHOOK_SECRET
    ):
        return (
            "BILLING_SANDBOX_WEBHOOK_SECRET must be a private random value of at least 32 "
            "characters in a demo deployment; the default is public and lets anyone forge "
            "billing events."
        )
    return ""


_problem = billing_configuration_problem(
    stripe_secret_key=STRIPE_SECRET_KEY,
    stripe_webhook_secret=STRIPE_WEBHOOK_SECRET,
    sandbox_enabled=BILLING_SANDBOX_ENABLED,
    sandbox_webhook_secret=BILLING_SANDBOX_WEBHOOK_SECRET,
)
if _problem:
    raise ImproperlyConfigured(_problem)
if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be a private random value of 50+ characters.")
if not AUTOMATION_WEBHOOK_HTTPS_ONLY or AUTOMATION_WEBHOOK_ALLOW_PRIVATE:  # noqa: F405
    raise ImproperlyConfigured(
        "Rule webhooks must be https-only and never reach private networks in production: "
        "unset AUTOMATION_WEBHOOK_HTTPS_ONLY and AUTOMATION_WEBHOOK_ALLOW_PRIVATE."
    )
