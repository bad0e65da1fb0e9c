"""Bounds on amounts, percentages, durations and dates, with messages a user can act on.

Model fields carry these validators, so forms, services (``full_clean``) and imports refuse
the same values with the same words; database constraints hold the invariants among them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

#: Dates further ahead than this are typing mistakes (20255 for 2025), not plans.
MAX_YEARS_AHEAD = 10
#: Longest activity: a week-long workshop; more is a typo in the minutes.
MAX_DURATION_MINUTES = 7 * 24 * 60
#: Longest idle threshold of a stage: ten years.
MAX_ROTTING_DAYS = 3650

NEGATIVE_AMOUNT = _("An amount cannot be negative. Enter 0 or more.")
PERCENTAGE = _("Enter a probability from 0 to 100.")
DURATION = _("Enter a duration from 1 minute to 7 days (10,080 minutes).")
ROTTING_DAYS = _("Enter a number of days from 1 to 3,650, or leave it empty.")

amount_not_negative = MinValueValidator(Decimal(0), NEGATIVE_AMOUNT)
percentage_validators = [MinValueValidator(0, PERCENTAGE), MaxValueValidator(100, PERCENTAGE)]
duration_validators = [
    MinValueValidator(1, DURATION),
    MaxValueValidator(MAX_DURATION_MINUTES, DURATION),
]
rotting_days_validators = [
    MinValueValidator(1, ROTTING_DAYS),
    MaxValueValidator(MAX_ROTTING_DAYS, ROTTING_DAYS),
]


def years_ahead(years: int, today: datetime.date | None = None) -> datetime.date:
    """The same day ``years`` later (28 February for 29 February in a common year)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + years)
    except ValueError:
        return today.replace(year=today.year + years, day=28)


def too_far_ahead(value: datetime.date) -> bool:
    return value > years_ahead(MAX_YEARS_AHEAD)


@deconstructible
class NotInTheFuture:
    """A date that has already happened (a birthday)."""

    message = _("This date is in the future.")
    code = "future_date"

    def __call__(self, value: datetime.date | None) -> None:
        if value is not None and value > timezone.localdate():
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NotInTheFuture)

    def __hash__(self) -> int:
        return hash(type(self))


not_in_the_future = NotInTheFuture()
