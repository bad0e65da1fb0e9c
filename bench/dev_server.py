"""`make run`'s web server under 20 browser tabs: PostgreSQL connections held, errors, latency.

Starts ``manage.py runserver`` with the local settings (exactly what ``make run`` starts) on a
throwaway database with the demo workspace, then opens 20 "tabs": each signs in as a demo user
and keeps loading the dashboard and the contact list for ``--seconds``. A sampler reads
``pg_stat_activity`` every 50 ms. The same load runs twice in this run: with the local
settings as they are (a connection per request) and, as the baseline, with persistent
connections (``DB_CONN_MAX_AGE=300``, the setting that piled up 69 connections).

    .venv/bin/python bench/dev_server.py --tabs 20 --seconds 15
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import ROOT, Browser, configure, drop_database, percentile

DATABASE = "rapport_bench_dev_server"
PAGES = ("/", "/contacts/", "/deals/")


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    connections: list[int] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"runserver did not listen on {port}")


def _connections() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [DATABASE])
        return int(cursor.fetchone()[0]) - 1  # minus the sampler's own


def _tab(port: int, email: str, until: float, load: Load) -> None:
    browser = Browser(port)
    response, _ = browser.post_form(
        "http://demo.localhost/login/", {"username": email, "password": "rapport-demo"}
    )
    if response.status != 302:
        load.errors.append(f"sign-in {response.status}")
        return
    index = 0
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            response, _ = browser.get(f"http://demo.localhost{PAGES[index % len(PAGES)]}")
        except OSError as error:
            load.errors.append(type(error).__name__)
            continue
        load.latencies.append(time.perf_counter() - started)
        if response.status >= 500:
            load.errors.append(str(response.status))
        index += 1


def run_load(*, tabs: int, seconds: float, conn_max_age: int) -> Load:
    port = _free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.local", DEBUG="false")
    env.update(DB_CONN_MAX_AGE=str(conn_max_age), SITE_PORT=str(port))
    server = subprocess.Popen(  # noqa: S603 -- our own manage.py
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    load = Load()
    try:
        _wait_for(port, time.monotonic() + 60)
        until = time.monotonic() + seconds
        users = ["admin@demo.localhost", "maria@demo.localhost", "ravi@demo.localhost"]
        threads = [
            threading.Thread(target=_tab, args=(port, users[i % len(users)], until, load))
            for i in range(tabs)
        ]
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            load.connections.append(_connections())
            time.sleep(0.05)
        time.sleep(1)
        load.connections.append(_connections())  # what stays open once the tabs are idle
    finally:
        server.terminate()
        server.wait(timeout=30)
    return load


def report(label: str, load: Load) -> None:
    print(
        f"{label:<34} requests={len(load.latencies):<5} errors={len(load.errors):<3} "
        f"p50={percentile(load.latencies, 0.5) * 1000:.0f}ms "
        f"p95={percentile(load.latencies, 0.95) * 1000:.0f}ms "
        f"max_connections={max(load.connections)} idle_connections={load.connections[-1]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tabs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0)
    options = parser.parse_args()
    configure(DATABASE, redis_db=13)
    from django.core.management import call_command

    try:
        call_command("migrate_schemas", "--shared", "--noinput", verbosity=0)
        call_command("bootstrap", "--demo", verbosity=0)
        from django.db import connections

        connections.close_all()
        current = run_load(tabs=options.tabs, seconds=options.seconds, conn_max_age=0)
        baseline = run_load(tabs=options.tabs, seconds=options.seconds, conn_max_age=300)
        report("make run (connection per request)", current)
        report("baseline: CONN_MAX_AGE=300", baseline)
        print(
            f"BENCH dev_server tabs={options.tabs} errors={len(current.errors)} "
            f"max_connections={max(current.connections)} "
            f"p95_ms={percentile(current.latencies, 0.95) * 1000:.0f} "
            f"baseline_max_connections={max(baseline.connections)} "
            f"baseline_errors={len(baseline.errors)}"
        )
    finally:
        drop_database(DATABASE)


if __name__ == "__main__":
    main()
