"""Publish plans to the payment gateway as products and prices, and record their ids."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from billing.gateways import active_gateway
from billing.models import Plan


class Command(BaseCommand):
    help = "Create or update a gateway product with monthly and yearly prices for every plan."

    def handle(self, *args: Any, **options: Any) -> None:
        gateway = active_gateway()
        for plan in Plan.objects.all():
            ids = gateway.plan_sync(plan=plan)
            plan.gateway_product_id = ids.product_id
            plan.gateway_monthly_price_id = ids.monthly_price_id
            plan.gateway_yearly_price_id = ids.yearly_price_id
            plan.save(
                update_fields=[
                    "gateway_product_id",
                    "gateway_monthly_price_id",
                    "gateway_yearly_price_id",
                ]
            )
            self.stdout.write(
                f"{plan.slug}: {ids.product_id} {ids.monthly_price_id} {ids.yearly_price_id}"
                f" ({gateway.name})"
            )
