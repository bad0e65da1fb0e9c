from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    """Workspaces and their hostnames (public schema)."""

    name = "tenants"
    verbose_name = _("Workspaces")

    def ready(self) -> None:
        from core.policies import workspace_lookup_set
        from tenants.selectors import current_workspace_row

        workspace_lookup_set(current_workspace_row)
