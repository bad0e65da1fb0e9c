from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Know the business: sales dashboard, rep activity and quotas (tenant schema).

    Every figure is a SQL aggregate over the records the viewer may see, in the workspace's
    base currency.
    """

    name = "crm.insights"
    label = "insights"
    verbose_name = _("Insights")
    default_auto_field = "django.db.models.BigAutoField"
