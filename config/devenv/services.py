"""Finding PostgreSQL and Redis: from the environment, on localhost, or local under ``.local/``."""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from config.devenv.database import DATABASE_NAME, postgres_version
from config.devenv.local import use_local
from config.devenv.output import DevenvError, mask_password, relative, say
from config.devenv.paths import LOCAL_ENV_FILE
from config.devenv.postgres import EmbeddedPostgres
from config.devenv.probes import pid_alive, redis_command, redis_pong, tcp_answers
from config.devenv.redis import EmbeddedRedis

LOCALHOST_DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"
LOCALHOST_REDIS_URL = "redis://127.0.0.1:6379/0"


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


def ensure_services(stack: contextlib.ExitStack) -> Services:
    remove_stale_env_file()
    database = find_postgres(stack)
    redis = find_redis(stack)
    for service in (database, redis):
        say(service.describe())
    return Services(database, redis)


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
