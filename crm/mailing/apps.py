from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingConfig(AppConfig):
    """E-mail from the CRM: the workspace's templates with merge fields, and sending to
    contacts from their page or a list selection, logged on each contact's timeline."""

    name = "crm.mailing"
    label = "mailing"
    verbose_name = _("E-mail")
