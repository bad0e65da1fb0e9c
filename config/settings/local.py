"""Developer machine: debug on, console email, everything on localhost."""

from config.settings.base import *  # noqa: F403 -- settings modules extend the base namespace
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)

#: runserver answers each request on a new thread, and a thread's persistent connection is
#: never reused, only left open until garbage collection: under a few browser tabs 69
#: connections piled up and PostgreSQL refused more. Here each request opens and closes its
#: own, so connections never exceed the requests in flight (bench/dev_server.py measures it).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)  # noqa: F405

#: Static files straight from the source folders (no collectstatic in development).
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

#: Webhooks of workflow rules may call http:// test receivers while developing.
AUTOMATION_WEBHOOK_HTTPS_ONLY = env.bool("AUTOMATION_WEBHOOK_HTTPS_ONLY", default=False)
