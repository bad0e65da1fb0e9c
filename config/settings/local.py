"""Developer machine: debug on, console email, everything on localhost."""

from config.settings.base import *  # noqa: F403 -- settings modules extend the base namespace
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)

#: Static files straight from the source folders (no collectstatic in development).
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
