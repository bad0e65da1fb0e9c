from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    """Customer service: cases with SLA timers, replies, CSAT, a knowledge base (tenant schema)."""

    name = "crm.service"
    label = "service"
    verbose_name = _("Customer service")
    default_auto_field = "django.db.models.BigAutoField"
