"""Test runs: real PostgreSQL and Redis, fast password hashing, in-memory email."""

from urllib.parse import urlsplit, urlunsplit

from config.settings.base import *  # noqa: F403 -- settings modules extend the base namespace
from config.settings.base import CACHES, REDIS_URL, env


def _redis_database(url: str, database: int) -> str:
    """The same Redis server with another logical database, so tests never touch dev data."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["localhost", ".localhost", "testserver"]

REDIS_URL = _redis_database(REDIS_URL, env.int("TEST_REDIS_DB", default=9))
CACHES["default"]["LOCATION"] = REDIS_URL
CACHES["default"]["KEY_PREFIX"] = "rapport-test"
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = "rapport-test"
