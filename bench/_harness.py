"""Shared plumbing for benchmarks: a throwaway database, a live server, a worker, HTTP.

Each benchmark runs against its own database (dropped afterwards) so it never disturbs the
development data, and measures the real stack: PostgreSQL, Redis, the WSGI app and a Celery
worker consuming from Redis.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure(database: str, redis_db: int, *, recreate: bool = True) -> None:
    """Point Django at a dedicated bench database and Redis database, then set it up.

    ``recreate=False`` reuses the database a run kept (``--keep``), to measure again without
    seeding again.
    """
    from urllib.parse import urlsplit as split
    from urllib.parse import urlunsplit

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "false"
    base_db = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rapport")
    parts = split(base_db)
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{database}"))
    redis = split(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    # Parallel sessions on one machine each name their own Redis database.
    redis_db = int(os.environ.get("BENCH_REDIS_DB", redis_db))
    redis_url = urlunsplit(redis._replace(path=f"/{redis_db}"))
    os.environ["REDIS_URL"] = redis_url
    os.environ["CELERY_QUEUE"] = f"rapport-bench-{database}"
    os.environ["ALLOWED_HOSTS"] = "localhost,.localhost,127.0.0.1"
    # Every benchmark request comes from 127.0.0.1: lift the per-IP abuse limits.
    for limit in ("SIGNUP_RATE_LIMIT", "LOGIN_RATE_LIMIT", "LOOKUP_RATE_LIMIT"):
        os.environ[limit] = "1000000/h"
    if recreate:
        _recreate_database(base_db, database)
    import django

    django.setup()


def _recreate_database(base_url: str, database: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(base_url)
    maintenance = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
    )
    maintenance.autocommit = True
    with maintenance.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        cursor.execute(sql.SQL("ALTER DATABASE {} SET jit = off").format(sql.Identifier(database)))
    maintenance.close()


def drop_database(database: str) -> None:
    import psycopg2
    from django.db import connections
    from psycopg2 import sql

    connections.close_all()
    parts = urlsplit(os.environ["DATABASE_URL"])
    maintenance = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
    )
    maintenance.autocommit = True
    with maintenance.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )
    maintenance.close()


@contextmanager
def live_server(*, threaded: bool = False) -> Iterator[int]:
    """The WSGI app on a loopback port: one request at a time (like one gunicorn sync worker),
    or ``threaded`` (like several workers: what a browser fetching assets in parallel sees)."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    class Threaded(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    server = make_server(
        "127.0.0.1",
        0,
        get_wsgi_application(),
        server_class=Threaded if threaded else WSGIServer,
        handler_class=Quiet,
    )
    port = int(server.server_address[1])
    settings.SITE_PORT = str(port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def celery_worker() -> Iterator[None]:
    """A real worker thread consuming from the bench Redis database."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


@dataclass
class Browser:
    """Just enough of a browser: per-host cookies, CSRF, Host-based routing to one port."""

    port: int
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)

    def request(
        self,
        method: str,
        url: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[HTTPResponse, bytes]:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        jar = self.cookies.setdefault(host, {})
        all_headers = {"Host": f"{host}:{self.port}", **(headers or {})}
        if jar:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        body = None
        if data is not None:
            body = urlencode(data)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            if "csrftoken" in jar:
                all_headers["Referer"] = f"http://{host}:{self.port}/"
        connection = HTTPConnection("127.0.0.1", self.port, timeout=60)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path or "/", body=body, headers=all_headers)
        response = connection.getresponse()
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                jar[name] = rest.split(";", 1)[0]
        connection.close()
        return response, content

    def get(self, url: str, headers: dict[str, str] | None = None) -> tuple[HTTPResponse, bytes]:
        return self.request("GET", url, headers=headers)

    def post_form(self, url: str, data: dict[str, str]) -> tuple[HTTPResponse, bytes]:
        _, page = self.get(url)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        token = match.group(1).decode() if match else ""
        return self.request("POST", url, {**data, "csrfmiddlewaretoken": token})


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summarise(label: str, values: list[float]) -> str:
    return (
        f"{label:<28} n={len(values):<4} p50={percentile(values, 0.5):.3f}s "
        f"p95={percentile(values, 0.95):.3f}s max={max(values):.3f}s "
        f"mean={statistics.fmean(values):.3f}s"
    )


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started
