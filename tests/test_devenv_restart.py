"""`make run` restarts a crashed worker or beat with backoff instead of stopping everything."""

from __future__ import annotations

import subprocess
import sys
import time

from config.devenv import commands
from config.devenv.processes import Child


def test_restart_waits_double_each_time_up_to_the_cap() -> None:
    policy = commands.Restarter(["worker"])
    waits = [policy.crashed() for _ in range(7)]
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_restart_backoff_starts_over_after_a_stable_run(monkeypatch) -> None:
    policy = commands.Restarter(["worker"])
    policy.crashed()
    policy.crashed()
    policy.started = time.monotonic() - commands.RESTART_STABLE_SECONDS - 1
    assert policy.crashed() == 1.0


def test_a_crashed_worker_is_started_again_not_everything_stopped(monkeypatch) -> None:
    crashed = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    crashed.wait()
    children = [Child("worker", crashed)]
    started: list[str] = []
    replacement = subprocess.Popen([sys.executable, "-c", "pass"])

    def start_child(name: str, command: list[str], env: dict[str, str]) -> Child:
        started.append(name)
        return Child(name, replacement)

    monkeypatch.setattr(commands, "start_child", start_child)
    restarts = {"worker": commands.Restarter([sys.executable, "-c", "pass"])}
    commands.check_children(children, {}, restarts)  # schedules the restart, raises nothing
    restarts["worker"].due = time.monotonic()
    commands.check_children(children, {}, restarts)
    replacement.wait()
    assert started == ["worker"]
    assert children[0].process is replacement
