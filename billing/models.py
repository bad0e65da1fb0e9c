"""Plans as data (public schema). Subscriptions and the gateway arrive with billing proper."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanQuerySet(models.QuerySet["Plan"]):
    def public(self) -> PlanQuerySet:
        """Plans offered on the public site, cheapest first."""
        return self.filter(is_public=True).order_by("sort_order", "monthly_price")


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
    is_public = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "monthly_price"]

    def __str__(self) -> str:
        return str(self.name)

    def has_feature(self, feature: str) -> bool:
        return feature in (self.features or [])
