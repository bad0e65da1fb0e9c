"""Plans as data (public schema): prices, seats and feature flags, never ``if plan == ...``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class PlanQuerySet(models.QuerySet["Plan"]):
    def public(self) -> PlanQuerySet:
        """Plans offered on the public site, cheapest first."""
        return self.filter(is_public=True).order_by("sort_order", "monthly_price")

    def for_price(self, *, price_id: str = "", lookup_key: str = "") -> Plan | None:
        """The plan a gateway price belongs to, by lookup key (``<slug>_<interval>``) or id."""
        if lookup_key:
            slug = lookup_key.rsplit("_", 1)[0]
            plan = self.filter(slug=slug).first()
            if plan is not None:
                return plan
        if price_id:
            return self.filter(
                models.Q(gateway_monthly_price_id=price_id)
                | models.Q(gateway_yearly_price_id=price_id)
            ).first()
        return None


class BillingInterval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Yearly")


class Plan(models.Model):
    """What a subscription buys: price, seats and feature flags.

    Code asks a plan for a feature or a limit (``plan.has_feature("api")``), never compares
    plan names.
    """

    slug = models.SlugField(unique=True, max_length=40)
    name = models.CharField(_("name"), max_length=80)
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    monthly_price = models.DecimalField(
        _("monthly price per seat"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    yearly_price = models.DecimalField(
        _("yearly price per seat"), max_digits=9, decimal_places=2, default=Decimal("0")
    )
    seat_limit = models.PositiveIntegerField(_("seat limit"), null=True, blank=True)
    features = models.JSONField(_("features"), default=list, blank=True)
    #: The name and tagline in Rapport's other languages: ``{"zh-hans": {"name": …,
    #: "tagline": …}, "zh-hant": {…}}``; ``name`` and ``tagline`` above are the English.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    is_public = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    #: Ids of the product and prices in the payment gateway, written by ``billing_sync_plans``
    #: (Stripe ids, or ``prod_sbx_…`` / ``price_sbx_…`` with the sandbox).
    gateway_product_id = models.CharField(_("gateway product id"), max_length=100, blank=True)
    gateway_monthly_price_id = models.CharField(
        _("gateway monthly price id"), max_length=100, blank=True
    )
    gateway_yearly_price_id = models.CharField(
        _("gateway yearly price id"), max_length=100, blank=True
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "monthly_price"]

    def __str__(self) -> str:
        return self.localized_name

    def _localized(self, field: str) -> str:
        language = (get_language() or "en").lower()
        translated = (self.translations or {}).get(language, {}).get(field, "")
        return str(translated or getattr(self, field))

    @property
    def localized_name(self) -> str:
        """The plan's name in the reader's language (English when not translated)."""
        return self._localized("name")

    @property
    def localized_tagline(self) -> str:
        return self._localized("tagline")

    def has_feature(self, feature: str) -> bool:
        return feature in (self.features or [])

    def feature_list(self) -> list[Any]:
        """The plan's features in words (label and description), in catalogue order."""
        from billing.features import plan_features

        return plan_features(self.features)

    def price_per_seat(self, interval: str) -> Decimal:
        """The price of one seat for one billing interval."""
        return Decimal(
            self.yearly_price if interval == BillingInterval.YEAR else self.monthly_price
        )

    def monthly_value_per_seat(self, interval: str) -> Decimal:
        """What one seat is worth per month (yearly prices spread over twelve months)."""
        if interval == BillingInterval.YEAR:
            return Decimal(self.yearly_price) / 12
        return Decimal(self.monthly_price)

    def lookup_key(self, interval: str) -> str:
        """The gateway price lookup key, stable across price changes: ``<slug>_<interval>``."""
        return f"{self.slug}_{interval}"
