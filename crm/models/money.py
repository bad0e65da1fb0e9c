"""Exchange rates a workspace keeps for its own totals (no internet access is assumed)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.locales import validate_currency_code


class ExchangeRate(models.Model):
    """How many units of the base currency one unit of ``currency`` is worth, from a date.

    A rate belongs to the base currency it was entered against: if the workspace changes its
    base currency, older rates stop applying instead of converting at a wrong rate.
    """

    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency_code])
    base_currency = models.CharField(
        _("base currency"), max_length=3, validators=[validate_currency_code]
    )
    rate = models.DecimalField(
        _("rate"),
        max_digits=20,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text=_("Units of the base currency for one unit of this currency."),
    )
    valid_from = models.DateField(_("valid from"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(
                fields=["base_currency", "currency", "valid_from"],
                name="crm_exchange_rate_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.base_currency} ({self.valid_from})"
