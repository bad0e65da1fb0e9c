from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    """Web-to-lead forms, segments and telesales (tenant schema).

    Records are written through the CRM's services, so validation, search columns and the
    audit log are the same as for a form in the CRM.
    """

    name = "crm.marketing"
    label = "marketing"
    verbose_name = _("Marketing")
