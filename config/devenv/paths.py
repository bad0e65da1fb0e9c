"""Where devenv reads and writes: the project root, ``.local/`` and its services' directories."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LOCAL_DIR = ROOT / ".local"
#: Read by ``config/env.py`` (real environment variables win). Written only by ``services``.
LOCAL_ENV_FILE = LOCAL_DIR / "env"
LOCK_FILE = LOCAL_DIR / "devenv.lock"
PG_DIR = LOCAL_DIR / "pg"
PG_DATA_DIR = PG_DIR / "data"
REDIS_DIR = LOCAL_DIR / "redis"
BENCH_DIR = ROOT / "bench"
VENDOR_DIR = ROOT / "static" / "vendor"
