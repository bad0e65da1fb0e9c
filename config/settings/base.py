"""Settings shared by every environment.

Values that differ between machines are read through :mod:`config.env`; the
per-environment modules (``local``, ``test``, ``production``) only override.
"""

from __future__ import annotations

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from kombu import Queue

from config.env import BASE_DIR, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, env

#: Public, so only ever a laptop's key; production refuses it.
DEVELOPMENT_SECRET_KEY = "insecure-local-development-key-change-me"  # noqa: S105 -- dev only
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
#: Only ``config.settings.local`` may turn debug pages on (from ``DEBUG``); every other
#: settings module, this one included, keeps them off whatever the environment says.
DEBUG = False

#: The public site lives on BASE_DOMAIN; every workspace on <slug>.BASE_DOMAIN.
BASE_DOMAIN = env.str("BASE_DOMAIN", default="localhost")
#: Scheme and port used when building absolute links to a workspace.
SITE_SCHEME = env.str("SITE_SCHEME", default="http")
SITE_PORT = env.str("SITE_PORT", default="8000")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[BASE_DOMAIN, f".{BASE_DOMAIN}"])
#: Never derive the tenant from a proxy header: the Host header is the only input.
USE_X_FORWARDED_HOST = False

# --- Applications -------------------------------------------------------------------------------

SHARED_APPS = [
    "django_tenants",
    "core",
    "tenants",
    "tenants.users",
    "onboarding.signups",
    "billing",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "django_ratelimit",
    "template_partials",
    "csp",
]

TENANT_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "tenants.users",
    "django.contrib.postgres",
    "crm",
    "onboarding",
    "onboarding.imports",
    "crm.notifications",
    "crm.mailing",
    "crm.automation",
    "crm.sales",
    "crm.insights",
    "crm.service",
    "crm.marketing",
]

INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
#: The migrated schema new workspaces are cloned from (a real tenant row, status "template").
TENANT_BASE_SCHEMA = "t_template"
TENANT_CREATION_FAKES_MIGRATIONS = True
#: An unknown host is a 404, never the public site.
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
TENANT_LIMIT_SET_CALLS = True
#: migrate_schemas skips workspaces whose schema was purged after closing (their rows stay).
GET_EXECUTOR_FUNCTION = "tenants.migration_executor.get_executor"

AUTH_USER_MODEL = "users.User"

MIDDLEWARE = [
    "tenants.middleware.WorkspaceMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenants.users.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.WorkspaceLocaleMiddleware",
    "core.middleware.PrivatePagesMiddleware",
    "core.middleware.DomainErrorMiddleware",
    "billing.middleware.BillingAccessMiddleware",
    "onboarding.middleware.SearchUseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "config.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tenants.context_processors.workspace",
                "csp.context_processors.nonce",
                "billing.context_processors.features",
                "billing.context_processors.write_lock",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- Data stores --------------------------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=DEFAULT_DATABASE_URL),
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
#: Persistent connections: a tenant page costs ~4 ms instead of ~13 ms with a new connection.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
#: JIT gave 1 to 3 s outliers when cloning schemas; Rapport's queries are short OLTP ones.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default=DEFAULT_REDIS_URL)

#: A page never waits long for an unreachable Redis: connecting gives up after this long, a
#: command after CACHE_SOCKET_TIMEOUT_SECONDS, and the cache then answers without Redis.
CACHE_CONNECT_TIMEOUT_SECONDS = env.float("CACHE_CONNECT_TIMEOUT_SECONDS", default=0.5)
CACHE_SOCKET_TIMEOUT_SECONDS = env.float("CACHE_SOCKET_TIMEOUT_SECONDS", default=1.0)

CACHES = {
    "default": {
        #: Django's RedisCache that degrades instead of raising while Redis is away (reads
        #: give their default, writes are skipped, one log line): see core/cache.py.
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
        #: Every key carries the schema of the tenant that wrote it.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": "rapport",
        "OPTIONS": {
            "socket_connect_timeout": CACHE_CONNECT_TIMEOUT_SECONDS,
            "socket_timeout": CACHE_SOCKET_TIMEOUT_SECONDS,
        },
    },
}

# --- Sessions, auth, security -------------------------------------------------------------------

SESSION_ENGINE = "django.contrib.sessions.backends.db"
#: Host-only cookies: a workspace's session cookie is never sent to another workspace.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
#: Argon2id (memory-hard, OWASP's first choice) with OWASP's m=46 MiB/t=1/p=1 parameters;
#: PBKDF2 at Django's 1M iterations took ~0.31 s per hash here. PBKDF2 stays listed so older
#: hashes still verify.
PASSWORD_HASHERS = [
    "tenants.users.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

#: Ready, migrated, unclaimed workspace schemas kept for instant signups.
TENANT_POOL_SIZE = env.int("TENANT_POOL_SIZE", default=3)
#: The signed token that carries a new customer from the public site into the workspace.
HANDOFF_MAX_AGE_SECONDS = env.int("HANDOFF_MAX_AGE_SECONDS", default=60)
#: A closed workspace's schema is kept this long before it is dropped.
CLOSED_WORKSPACE_RETENTION_DAYS = env.int("CLOSED_WORKSPACE_RETENTION_DAYS", default=30)
#: Per-IP limits (django-ratelimit syntax) for the abuse-prone forms.
SIGNUP_RATE_LIMIT = env.str("SIGNUP_RATE_LIMIT", default="10/h")
LOOKUP_RATE_LIMIT = env.str("LOOKUP_RATE_LIMIT", default="10/h")
#: Submissions per client IP of a workspace's public case form.
SERVICE_FORM_RATE_LIMIT = env.str("SERVICE_FORM_RATE_LIMIT", default="10/h")
#: Failed sign-ins per client IP, counted once across every workspace and the ops console.
LOGIN_RATE_LIMIT = env.str("LOGIN_RATE_LIMIT", default="30/10m")
#: Per-account lockout (see tenants/users/throttling.py): after this many failed sign-ins
#: each further attempt waits LOGIN_LOCKOUT_BASE_SECONDS, doubling per failure up to
#: LOGIN_LOCKOUT_MAX_SECONDS; failures are forgotten LOGIN_LOCKOUT_DECAY_SECONDS after the
#: last one, and at once after a successful sign-in.
LOGIN_LOCKOUT_THRESHOLD = env.int("LOGIN_LOCKOUT_THRESHOLD", default=5)
LOGIN_LOCKOUT_BASE_SECONDS = env.int("LOGIN_LOCKOUT_BASE_SECONDS", default=30)
LOGIN_LOCKOUT_MAX_SECONDS = env.int("LOGIN_LOCKOUT_MAX_SECONDS", default=15 * 60)
LOGIN_LOCKOUT_DECAY_SECONDS = env.int("LOGIN_LOCKOUT_DECAY_SECONDS", default=60 * 60)
#: Password-reset requests per client IP, counted once across every workspace.
PASSWORD_RESET_RATE_LIMIT = env.str("PASSWORD_RESET_RATE_LIMIT", default="20/h")
#: Reset emails per address (across workspaces); beyond it the page answers the same and
#: sends nothing, so the limit says nothing about whether the address has an account.
PASSWORD_RESET_ADDRESS_RATE_LIMIT = env.str("PASSWORD_RESET_ADDRESS_RATE_LIMIT", default="5/h")
#: Web-to-lead forms (public, no sign-in): submissions per client IP and workspace, the
#: largest body accepted (bytes; larger is a 413), and how long a double opt-in link works.
WEBFORM_RATE_LIMIT = env.str("WEBFORM_RATE_LIMIT", default="20/h")
WEBFORM_MAX_BODY_BYTES = env.int("WEBFORM_MAX_BODY_BYTES", default=32 * 1024)
WEBFORM_CONFIRM_MAX_AGE_DAYS = env.int("WEBFORM_CONFIRM_MAX_AGE_DAYS", default=14)
# E-mail campaigns: e-mails per minute per workspace, per job, the inbound bounce secret.
CAMPAIGN_SEND_PER_MINUTE = env.int("CAMPAIGN_SEND_PER_MINUTE", default=600)
CAMPAIGN_BATCH_SIZE = env.int("CAMPAIGN_BATCH_SIZE", default=200)
CAMPAIGN_INBOUND_SECRET = env.str("CAMPAIGN_INBOUND_SECRET", default="")
CAMPAIGN_ATTRIBUTION_DAYS = env.int("CAMPAIGN_ATTRIBUTION_DAYS", default=30)
#: Which request header holds the client IP. Behind a proxy set e.g. HTTP_X_REAL_IP.
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")
RATELIMIT_VIEW = "tenants.views.rate_limited"

#: Content-Security-Policy (django-csp). Scripts come only from Rapport's own static files
#: (vendored, no CDN); an inline script needs the request's nonce (``{{ CSP_NONCE }}``) and
#: inline event handlers are refused (pages use ``data-confirm`` and static/js/). Inline
#: *styles* stay allowed: htmx injects its indicator style and Tabler sets style attributes;
#: style injection cannot run code. Forms may post to the public site, any workspace and
#: Stripe's hosted pages (checkout and the portal follow a POST with a redirect there).
_SITE_PORT_SOURCE = ":*" if SITE_PORT else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [
            SELF,
            f"{SITE_SCHEME}://{BASE_DOMAIN}{_SITE_PORT_SOURCE}",
            f"{SITE_SCHEME}://*.{BASE_DOMAIN}{_SITE_PORT_SOURCE}",
            "https://checkout.stripe.com",
            "https://billing.stripe.com",
        ],
    },
}

SILENCED_SYSTEM_CHECKS = [
    # Django's own RedisCache increments atomically, which is all django-ratelimit needs.
    "django_ratelimit.W001",
]

#: How long after signup the ops console's onboarding funnel keeps following a workspace.
ONBOARDING_JOURNEY_DAYS = env.int("ONBOARDING_JOURNEY_DAYS", default=90)

#: How long an invitation link stays valid.
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)
#: How long a link that verifies an email address (welcome, resend, address change) works.
EMAIL_CONFIRMATION_MAX_AGE_DAYS = env.int("EMAIL_CONFIRMATION_MAX_AGE_DAYS", default=3)
#: Confirmation emails per account (resends and address changes together).
EMAIL_CONFIRMATION_RATE_LIMIT = env.str("EMAIL_CONFIRMATION_RATE_LIMIT", default="5/h")

# --- Billing ------------------------------------------------------------------------------------
# Without STRIPE_SECRET_KEY the sandbox gateway runs the whole lifecycle offline (local checkout
# and portal pages, signed events to the same webhook endpoint). See billing/gateways/.

STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
#: The offline sandbox gateway serves checkout and portal pages and signs its own events; it
#: runs when no Stripe key is set. Production refuses it unless a demo deployment sets this.
BILLING_SANDBOX_ENABLED = env.bool("BILLING_SANDBOX_ENABLED", default=True)
#: A value anyone can read in the README: fine on a laptop, refused in production.
BILLING_SANDBOX_DEFAULT_WEBHOOK_SECRET = "whsec_rapport_sandbox_local"  # noqa: S105 -- dev only
#: Signs the sandbox's events (Stripe's ``t=…,v1=…`` scheme); only used without Stripe.
BILLING_SANDBOX_WEBHOOK_SECRET = env.str(
    "BILLING_SANDBOX_WEBHOOK_SECRET", default=BILLING_SANDBOX_DEFAULT_WEBHOOK_SECRET
)
#: Where the sandbox posts its events. Empty: straight into the webhook intake in-process
#: (same verification and ledger, no HTTP hop); set e.g. to
#: http://localhost:8000/billing/webhook/ to exercise the HTTP endpoint too.
BILLING_SANDBOX_WEBHOOK_URL = env.str("BILLING_SANDBOX_WEBHOOK_URL", default="")
#: Free trial length for every new signup, without a card.
BILLING_TRIAL_DAYS = env.int("BILLING_TRIAL_DAYS", default=14)
#: Days a past-due workspace keeps full access before it turns read-only.
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=7)
#: Days before a trial ends that its admins are emailed.
BILLING_TRIAL_REMINDER_DAYS = env.int("BILLING_TRIAL_REMINDER_DAYS", default=3)

# --- Email --------------------------------------------------------------------------------------

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Rapport <no-reply@rapport.localhost>")
#: Largest total size of the files one customer e-mail carries (stored in PostgreSQL with it).
MAILING_MAX_ATTACHMENT_BYTES = env.int("MAILING_MAX_ATTACHMENT_BYTES", default=10 * 1024 * 1024)
#: Days an e-mail's attachments are kept after it was recorded (the row and its text stay).
MAILING_ATTACHMENT_RETENTION_DAYS = env.int("MAILING_ATTACHMENT_RETENTION_DAYS", default=90)
#: Days a finished e-mail's row is kept (its timeline activity stays with the records).
MAILING_RECORD_RETENTION_DAYS = env.int("MAILING_RECORD_RETENTION_DAYS", default=400)

# --- Background work ----------------------------------------------------------------------------
# PostgreSQL is the record of work (core/jobs/): a job row is written with the state that
# needs it, Celery only delivers "run job N", and a sweeper finishes what a lost message or a
# dead worker left behind. See the README, "Background work".

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="rapport")


def job_queues(default_queue: str) -> dict[str, str]:
    """The one routing table: each kind of work (``core.jobs.models.JobQueue``) → its queue."""
    return {
        "signup": f"{default_queue}-signup",
        "billing": f"{default_queue}-billing",
        "interactive": f"{default_queue}-interactive",
        "bulk": f"{default_queue}-bulk",
        "default": default_queue,
    }


def celery_queues(queues: dict[str, str]) -> list[Queue]:
    """Every queue a worker without ``-Q`` consumes (``make run``'s single worker)."""
    return [Queue(queues[kind]) for kind in ("signup", "billing", "interactive", "default", "bulk")]


JOB_QUEUES = job_queues(CELERY_TASK_DEFAULT_QUEUE)
#: Signups waiting for a schema never wait behind other work (kept for tools that name it).
CELERY_SIGNUP_QUEUE = JOB_QUEUES["signup"]
CELERY_TASK_QUEUES = celery_queues(JOB_QUEUES)
#: Jobs are routed when dispatched (core/jobs/dispatch.py reads JOB_QUEUES); plain tasks
#: (ping, sweeper, bulk dispatcher) go to the default queue.
CELERY_TASK_ROUTES: dict[str, dict[str, str]] = {}
#: Messages are acknowledged after the task ran, so a worker killed mid-task leaves its message
#: to be delivered again; every task is idempotent (a job's row decides whether it still runs).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
#: One message reserved per process: a busy process never holds work another could run.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
#: Redis gives an unacknowledged message to another worker after this long. It must exceed
#: the longest task including a retry countdown (signup provisioning and pool refill: 300 s
#: time limit; countdowns at most 60 s), or a slow task would run twice; a killed worker's
#: jobs come back sooner anyway, through their lease and the sweeper.
JOB_VISIBILITY_TIMEOUT_SECONDS = env.int("JOB_VISIBILITY_TIMEOUT_SECONDS", default=900)
#: Short timeouts when publishing (web requests): a broker that is down costs about a second,
#: the job stays pending and the sweeper dispatches it later. One connection retry at most.
CELERY_BROKER_CONNECT_TIMEOUT_SECONDS = env.float(
    "CELERY_BROKER_CONNECT_TIMEOUT_SECONDS", default=1.0
)
CELERY_BROKER_CONNECTION_TIMEOUT = CELERY_BROKER_CONNECT_TIMEOUT_SECONDS
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": JOB_VISIBILITY_TIMEOUT_SECONDS,
    "socket_connect_timeout": CELERY_BROKER_CONNECT_TIMEOUT_SECONDS,
    "socket_timeout": 5,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_CONNECT_TIMEOUT_SECONDS
CELERY_REDIS_SOCKET_TIMEOUT = 5
#: Workers keep reconnecting to a broker that went away, however long it takes.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
#: Deliberately off: a running job's row, not its message, is the record. A job that goes on
#: running after the broker connection dropped still records "done" in PostgreSQL and its
#: redelivered message is a no-op; cancelling it would only throw the work away.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
#: Tasks without their own limits (jobs get theirs from their handler's timeout).
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 330
#: Recycle worker processes so each connection's per-schema catalog cache stays bounded.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=500)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24

#: A failed job waits JOB_BACKOFF_BASE_SECONDS × 2^(attempt-1) (±20 %), at most
#: JOB_BACKOFF_MAX_SECONDS, before its next attempt.
JOB_BACKOFF_BASE_SECONDS = env.float("JOB_BACKOFF_BASE_SECONDS", default=10.0)
JOB_BACKOFF_MAX_SECONDS = env.float("JOB_BACKOFF_MAX_SECONDS", default=600.0)
#: A due job published this long ago and still waiting is published again by the sweeper (its
#: message may have been lost with Redis); duplicates are harmless.
JOB_REDISPATCH_SECONDS = env.int("JOB_REDISPATCH_SECONDS", default=120)
#: Added to a handler's timeout for its lease: a running job past it belongs to a dead worker.
JOB_LEASE_GRACE_SECONDS = env.int("JOB_LEASE_GRACE_SECONDS", default=30)
#: A billing event received, or a signup waiting, this long without a job is picked up.
JOB_STUCK_AFTER_SECONDS = env.int("JOB_STUCK_AFTER_SECONDS", default=60)
#: Finished jobs are kept this long (failed ones until retried or resolved).
JOB_DONE_RETENTION_DAYS = env.int("JOB_DONE_RETENTION_DAYS", default=7)
#: Bulk jobs in flight at once (set it to the bulk workers' total concurrency) and per
#: workspace (empty: one less than the total, so one workspace never holds every slot).
JOB_BULK_CONCURRENCY = env.int("JOB_BULK_CONCURRENCY", default=2)
JOB_BULK_WORKSPACE_CONCURRENCY = env.int("JOB_BULK_WORKSPACE_CONCURRENCY", default=None)
#: Periodic per-workspace work is spread over this many seconds (jitter).
JOB_PERIODIC_SPREAD_SECONDS = env.int("JOB_PERIODIC_SPREAD_SECONDS", default=600)
#: /readyz wants the worker heartbeat (the sweeper's last run) at most this old.
READINESS_HEARTBEAT_MAX_AGE_SECONDS = env.int("READINESS_HEARTBEAT_MAX_AGE_SECONDS", default=180)

CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "sweep-jobs": {"task": "core.jobs_sweep", "schedule": 60.0},
    "purge-closed-workspaces": {"task": "tenants.closed_workspaces_purge", "schedule": 60.0 * 60},
    "clear-expired-sessions": {
        "task": "tenants.periodic_dispatch",
        "schedule": crontab(hour=2, minute=41),
        "kwargs": {"handler": "users.sessions_clear_expired", "writes": False},
    },
    "billing-reconcile-nightly": {
        "task": "billing.reconcile",
        "schedule": crontab(hour=3, minute=17),
    },
    "onboarding-journeys": {"task": "onboarding.journeys_refresh_due", "schedule": 15 * 60.0},
    "onboarding-go-live-baselines": {
        "task": "tenants.periodic_dispatch",
        "schedule": crontab(hour=2, minute=51),
        "kwargs": {"handler": "onboarding.baseline_record", "writes": True},
    },
    # Reminders wake their workspace's job at their own minute; this is the safety net.
    "notifications-reminders": {
        "task": "notifications.periodic_dispatch",
        "schedule": 15 * 60.0,
        "kwargs": {
            "handler": "notifications.reminders_send",
            "every_minutes": 15,
            "spread_seconds": 60,
        },
    },
    "notifications-digests": {
        "task": "notifications.periodic_dispatch",
        "schedule": 15 * 60.0,
        "kwargs": {
            "handler": "notifications.digests_send",
            "every_minutes": 15,
            "spread_seconds": 120,
        },
    },
    "automation-rules-hourly": {
        "task": "tenants.periodic_dispatch",
        "schedule": crontab(minute=5),
        "kwargs": {"handler": "automation.rules_hourly", "writes": True},
    },
    "mailing-purge-daily": {
        "task": "tenants.periodic_dispatch",
        "schedule": crontab(hour=3, minute=23),
        "kwargs": {"handler": "mailing.purge", "writes": True},
    },
    "automation-care-touches-daily": {
        "task": "tenants.periodic_dispatch",
        "schedule": crontab(hour=5, minute=11),
        "kwargs": {"handler": "automation.care_touches", "writes": True},
    },
    "insights-reports-email": {
        "task": "tenants.periodic_dispatch",
        "schedule": crontab(minute=2),
        "kwargs": {"handler": "insights.reports_send", "writes": False},
    },
    "insights-customer-values": {
        "task": "tenants.periodic_dispatch",
        "schedule": crontab(minute=17),
        "kwargs": {"handler": "insights.customer_values_refresh", "writes": False},
    },
    "onboarding-return-figures": {
        "task": "tenants.periodic_dispatch",
        "schedule": crontab(minute=19),
        "kwargs": {"handler": "onboarding.return_figures", "writes": False},
    },
    "service-sla-escalation": {"task": "service.sla_escalate_due", "schedule": 5 * 60.0},
    "billing-trial-ending-emails": {
        "task": "billing.trial_ending_notify",
        "schedule": crontab(hour=8, minute=0),
    },
}

# --- Notifications ------------------------------------------------------------------------------

#: Local time of day (HH:MM, each user's time zone) after which the daily digest goes out.
NOTIFICATIONS_DIGEST_TIME = env.str("NOTIFICATIONS_DIGEST_TIME", default="07:30")
# --- Automation (workflow rules, customer-care touches) ----------------------------------------

#: Rule runs that act (done or failed) per workspace per minute; the excess waits, never dropped.
AUTOMATION_RULE_RUNS_PER_MINUTE = env.int("AUTOMATION_RULE_RUNS_PER_MINUTE", default=120)
#: Rules changing each other's records stop after this many in a row (loop protection).
AUTOMATION_MAX_CHAIN_DEPTH = env.int("AUTOMATION_MAX_CHAIN_DEPTH", default=3)
#: Records a scheduled or idle-deal rule handles per job (then the next batch is a new job).
AUTOMATION_SWEEP_BATCH = env.int("AUTOMATION_SWEEP_BATCH", default=500)
#: Newest records a dry run checks.
AUTOMATION_DRY_RUN_MAX = env.int("AUTOMATION_DRY_RUN_MAX", default=2000)
#: Webhooks only to https addresses (turn off for development only).
AUTOMATION_WEBHOOK_HTTPS_ONLY = env.bool("AUTOMATION_WEBHOOK_HTTPS_ONLY", default=True)
#: Webhooks to private, loopback and link-local addresses (development only; never in production).
AUTOMATION_WEBHOOK_ALLOW_PRIVATE = env.bool("AUTOMATION_WEBHOOK_ALLOW_PRIVATE", default=False)
#: Care-touch tasks one workspace gets per kind per daily run (the rest come the next day).
AUTOMATION_CARE_MAX_PER_RUN = env.int("AUTOMATION_CARE_MAX_PER_RUN", default=500)

# --- Imports ------------------------------------------------------------------------------------

#: Largest file a workspace may upload for import (a clear message past it, never a 500).
IMPORT_MAX_UPLOAD_MB = env.int("IMPORT_MAX_UPLOAD_MB", default=50)
#: Most data rows in one import; checked while the file is read, before any record is written.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=250_000)
#: Rows imported per transaction (a chunk); a killed worker redoes at most one chunk.
IMPORT_CHUNK_ROWS = env.int("IMPORT_CHUNK_ROWS", default=500)
#: Run the chunks of a contact import in parallel, one bulk job each (rows that may be the
#: same person are grouped into one chunk first); off: one chunk after the other.
IMPORT_PARALLEL_CHUNKS = env.bool("IMPORT_PARALLEL_CHUNKS", default=True)
#: Uploads above this size go to a temporary file instead of memory while they arrive.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Internationalisation, static files ---------------------------------------------------------

LANGUAGE_CODE = "en"
#: Each language is named in itself, as language switchers do.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("zh-hant", "繁體中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
#: Rapport's own date formats per language (config/formats/), Django's for the rest.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
