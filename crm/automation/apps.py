from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    """Work the CRM does on its own: workflow rules and customer-care touches (tenant schema).

    Rules and touches run in the shared workers (``core.jobs``), never in a request; records
    change through the CRM's services, so validation and the audit log are those of a form.
    """

    name = "crm.automation"
    label = "automation"
    verbose_name = _("Automation")
    default_auto_field = "django.db.models.BigAutoField"
