"""Insights data: sales quotas per rep and month."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Quota(models.Model):
    """What a rep is expected to win in one month, in the workspace's base currency.

    Quotas are monthly; a longer period's quota is the sum of the months it touches. Set by
    an admin.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quotas",
        verbose_name=_("rep"),
    )
    #: The first day of the month.
    month = models.DateField(_("month"))
    amount = models.DecimalField(
        _("quota"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "owner_id"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(fields=["owner", "month"], name="insights_quota_once_a_month"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="insights_quota_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.month:%Y-%m}: {self.amount} {self.currency}"
