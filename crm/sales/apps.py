from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """Products, price lists, deal line items and quotes (tenant schema).

    A sub-app of the CRM: deals are sold from products; a quote is a numbered, versioned
    offer made from a deal's lines, rendered to PDF, sent by e-mail and answered by the
    customer through a public link on the workspace host.
    """

    name = "crm.sales"
    label = "sales"
    verbose_name = _("Sales")
