"""The commands that need the services: ``services``, ``run``, ``test`` and ``bench``."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from config.devenv.database import ensure_database, libpq_url, psycopg2_module
from config.devenv.output import DevenvError, exit_status, relative, say
from config.devenv.paths import BENCH_DIR, LOCAL_DIR, LOCAL_ENV_FILE, ROOT
from config.devenv.probes import redis_command
from config.devenv.processes import (
    Child,
    child_env,
    run_foreground,
    signal_group,
    start_child,
    step,
    stop_children,
)
from config.devenv.services import ensure_services, remove_env_file, write_env_file
from config.devenv.translations import translations_check

LOCAL_SETTINGS = "config.settings.local"
TEST_SETTINGS = "config.settings.test"
#: How long ``run`` keeps asking the worker to answer before it reports that it did not.
WORKER_PING_DEADLINE_SECONDS = 90


def manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


def cmd_services(args: Sequence[str], stack: contextlib.ExitStack) -> int:
    unknown = [arg for arg in args if arg != "--check"]
    if unknown:
        raise DevenvError(f"services takes only --check, not {' '.join(unknown)}", exit_code=2)
    services = ensure_services(stack)
    ensure_database(services.database.url, need_createdb=False)
    psycopg2 = psycopg2_module()
    conn = psycopg2.connect(libpq_url(services.database.url), connect_timeout=5)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT current_database(), current_setting('jit')")
            name, jit = cursor.fetchone()
    finally:
        conn.close()
    redis = urlsplit(services.redis.url)
    pong = redis_command(redis.hostname or "127.0.0.1", redis.port or 6379, "PING").strip()
    say(f"connected: database {name} (jit={jit}); Redis answered {pong}")
    print(f"DATABASE_URL={services.database.url}")
    print(f"REDIS_URL={services.redis.url}", flush=True)
    if "--check" in args or not (services.database.is_local or services.redis.is_local):
        return 0
    write_env_file(services)
    stack.callback(remove_env_file)
    say(f"{relative(LOCAL_ENV_FILE)} points manage.py at them; Ctrl-C stops them")
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how this command ends
        while True:
            time.sleep(3600)
    return 0


def cmd_run(args: Sequence[str], stack: contextlib.ExitStack) -> int:
    if args:
        raise DevenvError(f"run takes no arguments, not {' '.join(args)}", exit_code=2)
    services = ensure_services(stack)
    ensure_database(services.database.url, need_createdb=False)
    port = os.environ.get("PORT", "8000")
    env = child_env(services, LOCAL_SETTINGS)
    # Links to a workspace carry the port the web server really listens on.
    env.setdefault("SITE_PORT", port)
    # The one worker (two processes) serves every queue: bulk work may take one process, so
    # the other is always free for signups, billing and e-mails.
    env.setdefault("JOB_BULK_CONCURRENCY", "1")
    step("compiling the translations", manage("compilemessages", *COMPILE_IGNORES), env)
    step("migrating the public schema", manage("migrate_schemas", "--shared", "--noinput"), env)
    step(
        "bootstrap --demo (template, tenant schemas, demo workspace)",
        manage("bootstrap", "--demo"),
        env,
    )

    children: list[Child] = []
    stack.callback(stop_children, children)
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    # No -Q: the worker consumes CELERY_TASK_QUEUES from settings (signups first, then the rest).
    worker = [*celery, "worker", "-l", "info", "--concurrency", "2"]
    LOCAL_DIR.mkdir(parents=True, exist_ok=True)  # beat keeps its schedule file there
    beat = [*celery, "beat", "-l", "info", "--schedule", str(LOCAL_DIR / "celerybeat-schedule")]
    children.append(start_child("web", manage("runserver", f"0.0.0.0:{port}"), env))
    children.append(start_child("worker", worker, env))
    children.append(start_child("beat", beat, env))
    restarts = {"worker": Restarter(worker), "beat": Restarter(beat)}

    try:
        ping_worker(children, env)
        say(f"running on http://localhost:{port}/ ; Ctrl-C stops everything")
        while True:
            check_children(children, env, restarts)
            time.sleep(0.5)
    except KeyboardInterrupt:  # Ctrl-C is how this command ends
        return 0


#: Waits before restarting a crashed worker or beat: doubling from the first, at most the last.
RESTART_BACKOFF_SECONDS = (1.0, 30.0)
#: A child that ran this long before crashing starts the backoff over.
RESTART_STABLE_SECONDS = 60.0


class Restarter:
    """Restart policy of one background child: exponential backoff, reset once it is stable."""

    def __init__(self, command: Sequence[str]) -> None:
        self.command = list(command)
        self.delay = RESTART_BACKOFF_SECONDS[0]
        self.started = time.monotonic()
        self.due: float | None = None

    def crashed(self) -> float:
        """Schedule the restart; returns the wait."""
        if time.monotonic() - self.started > RESTART_STABLE_SECONDS:
            self.delay = RESTART_BACKOFF_SECONDS[0]
        wait = self.delay
        self.delay = min(self.delay * 2, RESTART_BACKOFF_SECONDS[1])
        self.due = time.monotonic() + wait
        return wait


def check_children(
    children: list[Child],
    env: dict[str, str] | None = None,
    restarts: dict[str, Restarter] | None = None,
) -> None:
    """A crashed worker or beat is restarted with backoff (its jobs are safe in PostgreSQL and
    the sweeper finishes them); the web server dying takes everything down."""
    restarts = restarts or {}
    for index, child in enumerate(children):
        code = child.process.poll()
        if code is None:
            continue
        policy = restarts.get(child.name)
        if policy is None or env is None:
            raise DevenvError(
                f"{child.name} exited with code {code}; stopping everything",
                exit_code=exit_status(code) or 1,
            )
        if policy.due is None:
            wait = policy.crashed()
            say(f"{child.name} exited with code {code}; restarting it in {wait:g} s")
            signal_group(child, signal.SIGKILL)  # what it left in its group (pool processes)
        elif time.monotonic() >= policy.due:
            policy.due = None
            policy.started = time.monotonic()
            children[index] = start_child(child.name, policy.command, env)


def ping_worker(children: list[Child], env: dict[str, str]) -> None:
    """Ask ``manage.py worker_ping`` until the worker answers, and say how that went."""
    deadline = time.monotonic() + WORKER_PING_DEADLINE_SECONDS
    while True:
        time.sleep(2)
        check_children(children)
        try:
            ping = subprocess.run(  # noqa: S603 -- our own command
                manage("worker_ping"),
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=60,
            )
        except subprocess.TimeoutExpired:
            say("worker_ping did not return within 60 s")
            continue
        output = (ping.stdout + ping.stderr).strip()
        if ping.returncode == 0:
            say(f"worker answered: {output or 'ok'}")
            return
        if "Unknown command" in output or time.monotonic() > deadline:
            say(f"worker did not answer (worker_ping exit code {ping.returncode}): {output}")
            return


def cmd_test(args: Sequence[str], stack: contextlib.ExitStack) -> int:
    python = sys.executable
    # Static checks first: they need no services and fail fastest.
    static_env = dict(os.environ, DJANGO_SETTINGS_MODULE=TEST_SETTINGS)
    step(
        "ruff check .",
        [python, "-m", "ruff", "check", "."],
        static_env,
        "Fix the findings above (`make format` fixes formatting only).",
    )
    step(
        "ruff format --check .",
        [python, "-m", "ruff", "format", "--check", "."],
        static_env,
        "Run `make format`.",
    )
    step("mypy .", [python, "-m", "mypy", "."], static_env, "Fix the type errors above.")
    step(
        "lint-imports (layer contracts)",
        [str(Path(python).parent / "lint-imports")],
        static_env,
        "An import crosses the layers (pyproject.toml [tool.importlinter]): move the code or "
        "invert the dependency (see core/policies.py).",
    )
    return run_tests(args, stack)


#: compilemessages walks the tree; these folders hold other projects' catalogues.
COMPILE_IGNORES = ("--ignore=.venv/*", "--ignore=.local/*")


def deploy_check_env(env: dict[str, str]) -> dict[str, str]:
    """Production settings with the secrets a real deployment must provide, made up here."""
    return dict(
        env,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="rapport.example,.rapport.example",
        STRIPE_SECRET_KEY="sk_test_deploy_check",  # noqa: S106 -- a placeholder, not a key
        STRIPE_WEBHOOK_SECRET="whsec_deploy_check",  # noqa: S106 -- a placeholder
    )


def run_tests(args: Sequence[str], stack: contextlib.ExitStack) -> int:
    """The part of ``test`` that needs the services: the migrations check and pytest."""
    python = sys.executable
    services = ensure_services(stack)
    ensure_database(services.database.url, need_createdb=True)
    env = child_env(services, TEST_SETTINGS)
    # Test settings point the connection at a database that never exists outside pytest, so
    # Django's migration-history check can only warn; that warning is expected here.
    no_history_warning = "ignore:Got an error checking a consistent migration history"
    step(
        "makemigrations --check --dry-run",
        [python, "-W", no_history_warning, "manage.py", "makemigrations", "--check", "--dry-run"],
        env,
        "A model changed without a migration: run `python manage.py makemigrations`.",
    )
    say("translations: extract, check both Chinese catalogues, compile")
    try:
        translations_check(env)
    except DevenvError as error:
        raise DevenvError(str(error), exit_code=1) from error
    step(
        "check --deploy (production settings)",
        [python, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        deploy_check_env(env),
        "Production settings fail Django's deployment checks: fix config/settings/production.py.",
    )
    say(f"pytest {' '.join(args)}".rstrip())
    code = run_foreground([python, "-m", "pytest", *args], env)
    say("tests passed" if code == 0 else f"pytest exited with code {code}")
    return code


def cmd_bench(args: Sequence[str], stack: contextlib.ExitStack) -> int:
    if args:
        scripts = [BENCH_DIR / (name if name.endswith(".py") else f"{name}.py") for name in args]
        missing = [relative(script) for script in scripts if not script.exists()]
        if missing:
            raise DevenvError(f"no such benchmark: {', '.join(missing)}", exit_code=2)
    else:
        # bench/_harness.py and the like are shared helpers, not benchmarks.
        scripts = sorted(p for p in BENCH_DIR.glob("*.py") if not p.name.startswith("_"))
    if not scripts:
        say("no benchmarks under bench/")
        return 0
    services = ensure_services(stack)
    # Benchmarks create (and drop) their own databases.
    ensure_database(services.database.url, need_createdb=True)
    # The scripts choose their own settings; the default is that of manage.py.
    env = child_env(services, os.environ.get("DJANGO_SETTINGS_MODULE", LOCAL_SETTINGS))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    failed = []
    for script in scripts:
        say(f"bench: {relative(script)}")
        if run_foreground([sys.executable, str(script)], env) != 0:
            failed.append(relative(script))
    if failed:
        raise DevenvError(f"benchmarks failed: {', '.join(failed)}")
    return 0
