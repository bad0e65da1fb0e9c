from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    """Plans, subscriptions and the payment gateway (public schema)."""

    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from billing.policies import BillingWritePolicy, PlanSeatPolicy
        from core.policies import seat_policy_set, write_policy_set

        seat_policy_set(PlanSeatPolicy())
        write_policy_set(BillingWritePolicy())
