"""The demo workspace that ``make run`` creates once, with a few users to look at."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django_tenants.utils import schema_context

from onboarding.sample_data import demo_crm_data_seed
from tenants.models import Tenant
from tenants.selectors import workspace_url
from tenants.services import tenant_create, workspace_user_create
from tenants.users.models import Role, User

DEMO_SLUG = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.localhost"
DEMO_PASSWORD = "rapport-demo"  # noqa: S105 -- a documented local demo credential
OPS_EMAIL = "ops@rapport.localhost"

#: Sample teammates so the users page and role checks have something to show.
DEMO_TEAM = [
    ("Maria Manager", "maria@demo.localhost", Role.MANAGER),
    ("Ravi Rep", "ravi@demo.localhost", Role.REP),
    ("Rita Reader", "rita@demo.localhost", Role.READ_ONLY),
]


@dataclass(frozen=True)
class DemoAccess:
    url: str
    email: str
    password: str
    created: bool


def demo_workspace_ensure() -> DemoAccess:
    """Create the demo workspace once; later calls only report how to reach it."""
    tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
    created = tenant is None
    if tenant is None:
        tenant = tenant_create(name="Demo Company", slug=DEMO_SLUG)
        workspace_user_create(
            tenant=tenant,
            email=DEMO_ADMIN_EMAIL,
            full_name="Alex Admin",
            password=DEMO_PASSWORD,
            role=Role.ADMIN,
            email_verified=True,
        )
        for full_name, email, role in DEMO_TEAM:
            workspace_user_create(
                tenant=tenant,
                email=email,
                full_name=full_name,
                password=DEMO_PASSWORD,
                role=role,
                email_verified=True,
            )
        with schema_context(tenant.schema_name):
            demo_crm_data_seed(
                admin=User.objects.get(email=DEMO_ADMIN_EMAIL),
                rep=User.objects.get(role=Role.REP),
            )
    return DemoAccess(
        url=workspace_url(tenant), email=DEMO_ADMIN_EMAIL, password=DEMO_PASSWORD, created=created
    )


@transaction.atomic
def ops_staff_ensure() -> str:
    """A provider-operations account on the public site for local use."""
    with schema_context("public"):
        if not User.objects.filter(email__iexact=OPS_EMAIL).exists():
            User.objects.create_superuser(OPS_EMAIL, DEMO_PASSWORD, full_name="Olga Ops")
    return OPS_EMAIL
