from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    """Workspaces and their hostnames (public schema)."""

    name = "tenants"
    verbose_name = _("Workspaces")
