from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Bring your data: spreadsheets and other CRMs' exports into the workspace (tenant schema).

    Part of the customer's journey (``onboarding``); records are written through the CRM's
    services, so validation, search columns and the audit log are the same as for a form.
    """

    name = "onboarding.imports"
    label = "imports"
    verbose_name = _("Imports")
