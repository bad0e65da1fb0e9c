"""The Celery app shared by every worker.

Tasks are tenant-aware (tenant-schemas-celery): the schema that enqueues a task
travels in its headers and the worker switches to it before running. Tenant
tasks refuse to run in the public schema; see :class:`tenants.tasks.TenantTask`.
"""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = CeleryApp("rapport")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
