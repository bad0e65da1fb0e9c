"""Small questions about the machine: is a process alive, does a port answer, is one free."""

from __future__ import annotations

import importlib.util
import os
import socket
from pathlib import Path

from config.devenv.output import DevenvError


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


def package_dir(name: str) -> Path | None:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))
