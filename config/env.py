"""The one place that reads the process environment.

Every setting that varies between machines comes from here, with a default that
works on a developer's laptop. Production settings override the defaults that
would be unsafe there.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

#: A file written by the dev tooling (``config/devenv/``) with the service
#: URLs it found or started. Real environment variables always win over it.
LOCAL_ENV_FILE = BASE_DIR / ".local" / "env"
if LOCAL_ENV_FILE.exists():
    environ.Env.read_env(str(LOCAL_ENV_FILE), overwrite=False)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/rapport"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
