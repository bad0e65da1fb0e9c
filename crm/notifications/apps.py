from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-app notifications, activity reminders and the daily digest (tenant schema).

    Part of the CRM: the bell in the top navigation, "assigned to you", "@mentioned you",
    "deal won" and reminders, and the morning e-mail of each user's day.
    """

    name = "crm.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
