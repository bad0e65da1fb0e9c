"""The project database: connecting with psycopg2 (imported late), creating it, JIT off."""

from __future__ import annotations

import contextlib
import sys
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from config.devenv.output import DevenvError, mask_password, say

DATABASE_NAME = "rapport"


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
