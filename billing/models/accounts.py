"""The link between a workspace and its customer at the payment gateway (public schema).

Rapport makes this link itself, once, when it first sends a workspace to checkout: it creates
the gateway customer and records it here. Every later event is mapped to a workspace through
this row and nothing else; an event's metadata or client reference is never trusted to name
a workspace. What leaves Rapport to identify a workspace is :attr:`BillingAccount.reference`,
a random opaque id, never a primary key.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant


def new_account_reference() -> str:
    """An opaque, unguessable id that names a workspace to the gateway."""
    return f"acct_{secrets.token_urlsafe(18)}"


class BillingAccount(models.Model):
    """A workspace's customer at one gateway, created by Rapport at its first checkout."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="billing_account")
    #: Sent to the gateway as the client reference and in metadata; never a primary key.
    reference = models.CharField(
        max_length=60, unique=True, default=new_account_reference, editable=False
    )
    #: "stripe" or "sandbox": which gateway the customer id belongs to.
    gateway = models.CharField(max_length=20)
    gateway_customer_id = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "gateway_customer_id"], name="billing_account_customer_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant} · {self.gateway} {self.gateway_customer_id}"
