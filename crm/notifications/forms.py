"""Forms of notifications: the reminder of an activity, snoozing, the default reminder."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.notifications.models import ReminderOffset
from crm.notifications.services import SnoozeChoice

SNOOZE_CHOICES = [
    (SnoozeChoice.TEN_MINUTES, _("10 minutes")),
    (SnoozeChoice.ONE_HOUR, _("1 hour")),
    (SnoozeChoice.TOMORROW, _("Tomorrow morning")),
]


class ReminderField(forms.TypedChoiceField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            choices=ReminderOffset.choices,
            coerce=int,
            label=_("Remind me"),
            **kwargs,  # type: ignore[arg-type]
        )


class SnoozeForm(forms.Form):
    choice = forms.ChoiceField(choices=SNOOZE_CHOICES)


class NotificationPreferenceForm(forms.Form):
    reminder_minutes = ReminderField(
        help_text=_("New activities with a due time start with this reminder.")
    )
