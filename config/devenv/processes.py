"""Stop signals, and the child processes devenv runs in the foreground or alongside."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from config.devenv.output import DevenvError, exit_status, say
from config.devenv.paths import ROOT
from config.devenv.services import Services

#: How long each child of ``run`` gets to stop after Ctrl-C before it is killed.
CHILD_STOP_SECONDS = 15


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
