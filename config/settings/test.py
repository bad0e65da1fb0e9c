"""Test runs: real PostgreSQL and Redis, fast password hashing, in-memory email."""

import os
from urllib.parse import urlsplit, urlunsplit

from config.settings.base import *  # noqa: F403 -- settings modules extend the base namespace
from config.settings.base import CACHES, REDIS_URL, celery_queues, env, job_queues


def _redis_database(url: str, database: int) -> str:
    """The same Redis server with another logical database, so tests never touch dev data."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["localhost", ".localhost", "testserver"]

#: Cache and broker get separate databases: tests flush the cache, never the broker's queues.
TEST_REDIS_DB = env.int("TEST_REDIS_DB", default=9)
CACHES["default"]["LOCATION"] = _redis_database(REDIS_URL, TEST_REDIS_DB)
#: Per-run key prefix and queue: concurrent test runs on one Redis never see each other.
TEST_RUN_ID = env.str("TEST_RUN_ID", default=str(os.getpid()))
CACHES["default"]["KEY_PREFIX"] = f"rapport-test-{TEST_RUN_ID}"
CELERY_BROKER_URL = _redis_database(REDIS_URL, TEST_REDIS_DB + 1)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_DEFAULT_QUEUE = f"rapport-test-{TEST_RUN_ID}"
JOB_QUEUES = job_queues(CELERY_TASK_DEFAULT_QUEUE)
CELERY_SIGNUP_QUEUE = JOB_QUEUES["signup"]
CELERY_TASK_QUEUES = celery_queues(JOB_QUEUES)

from config.settings.base import DATABASES  # noqa: E402 -- grouped with the override it serves

#: Close each connection after use so live-server and worker threads never keep the test
#: database busy when pytest-django drops it.
DATABASES["default"]["CONN_MAX_AGE"] = 0

#: Tasks run in-process unless a test starts a real worker (see tests/tenants/test_worker.py).
CELERY_TASK_ALWAYS_EAGER = env.bool("TEST_CELERY_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True

#: Static files straight from the source folders (no collectstatic in tests).
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

#: Outside pytest-django's set-up the connection points at a database that does not exist, so
#: a test that forgot to request the database fails loudly instead of touching real data.
#: One test database per run (pid suffix), so concurrent runs on one server never collide.
DATABASES["default"]["TEST"] = {
    "NAME": env.str(
        "TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}_{os.getpid()}"
    )
}
DATABASES["default"]["NAME"] = "rapport_tests_need_the_db_fixture"
#: A worker subprocess started by a test (tests/fault_harness.py) works on that test run's
#: database, which the session has created and migrated.
if env.str("TEST_WORKER_DATABASE", default=""):
    DATABASES["default"]["NAME"] = env.str("TEST_WORKER_DATABASE")

#: Tests fill the pool themselves when they need one; eager refills would slow every signup.
TENANT_POOL_SIZE = 0
