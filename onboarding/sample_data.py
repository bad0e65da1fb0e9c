"""A little believable CRM data for the demo workspace, written through the CRM services."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from crm import services
from crm.models import ActivityKind, Contact, LeadSource
from tenants.users.models import User

COMPANIES = [
    ("Nordwind Logistics", "nordwind.example", "Logistics", "Hamburg"),
    ("Café Aurora", "cafe-aurora.example", "Hospitality", "Lisbon"),
    ("Brightline Dental", "brightline.example", "Healthcare", "Leeds"),
    ("Kestrel Engineering", "kestrel.example", "Manufacturing", "Lyon"),
    ("Vinea Wines", "vinea.example", "Retail", "Verona"),
    ("Pixelfarm Studio", "pixelfarm.example", "Media", "Utrecht"),
]
CONTACTS = [
    ("Jana", "Weber", "Head of Operations", 0),
    ("Tom", "Fischer", "Fleet Manager", 0),
    ("Inês", "Costa", "Owner", 1),
    ("Amelia", "Price", "Practice Manager", 2),
    ("Oliver", "Grant", "Dentist", 2),
    ("Luc", "Moreau", "Purchasing", 3),
    ("Chloé", "Bernard", "CFO", 3),
    ("Marco", "Rossi", "Founder", 4),
    ("Sanne", "de Vries", "Creative Director", 5),
]
#: (title, company index, amount, stage position in the default pipeline)
DEALS = [
    ("Fleet tracking rollout", 0, "48000", 3),
    ("Route planning pilot", 0, "12000", 1),
    ("Loyalty programme", 1, "6500", 2),
    ("Second practice onboarding", 2, "18000", 0),
    ("Spare parts portal", 3, "32000", 2),
    ("Annual maintenance contract", 3, "9000", 4),
    ("Wine club webshop", 4, "15000", 5),
    ("Brand refresh", 5, "7000", 1),
]


def _ascii(name: str) -> str:
    """``"Inês"`` → ``"ines"``: email local parts of the demo data stay plain ASCII."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return folded.lower().replace(" ", "")


def demo_crm_data_seed(*, admin: User, rep: User) -> None:
    """Companies, contacts, deals across the pipeline, activities and leads (in the schema)."""
    now = timezone.now()
    companies = [
        services.company_create(
            by=admin,
            fields={"name": name, "domain": domain, "industry": industry, "city": city},
        )
        for name, domain, industry, city in COMPANIES
    ]
    contacts = [
        services.contact_create(
            by=rep if index % 2 else admin,
            fields={
                "first_name": first,
                "last_name": last,
                "title": title,
                "email": f"{_ascii(first)}.{_ascii(last)}@{COMPANIES[company][1]}",
            },
            company=companies[company],
        )
        for index, (first, last, title, company) in enumerate(CONTACTS)
    ]
    stages = list(services.default_pipeline().stages.order_by("position"))
    for index, (title, company, amount, stage_index) in enumerate(DEALS):
        owner = rep if index % 2 else admin
        deal = services.deal_create(
            by=owner,
            fields={
                "title": title,
                "company": companies[company],
                "amount": Decimal(amount),
                "expected_close_on": (now + timedelta(days=14 * (index + 1))).date(),
            },
            contacts=[
                contact
                for contact, (_first, _last, _title, works_at) in zip(
                    contacts, CONTACTS, strict=True
                )
                if works_at == company
            ],
        )
        if stage_index:
            services.deal_move(deal=deal, stage=stages[stage_index], by=owner)
    _activities_seed(admin=admin, rep=rep, contacts=contacts)
    for name, company_name, source in [
        ("Hannah Ljung", "Ljung Bikes", LeadSource.WEBSITE),
        ("Pedro Alves", "Alves Imports", LeadSource.REFERRAL),
        ("Grace Okafor", "Okafor Consulting", LeadSource.EVENT),
    ]:
        services.lead_create(
            by=rep,
            fields={
                "name": name,
                "company_name": company_name,
                "email": f"{name.split()[0].lower()}@{company_name.split()[0].lower()}.example",
                "source": source,
            },
        )


def _activities_seed(*, admin: User, rep: User, contacts: list[Contact]) -> None:
    moment = timezone.now()
    plan = [
        (ActivityKind.CALL, "Follow up on the proposal", -2, admin, 0),
        (ActivityKind.MEETING, "Demo for the operations team", 0, admin, 1),
        (ActivityKind.TASK, "Send revised quote", 1, admin, 5),
        (ActivityKind.CALL, "Check in after the trial", 3, rep, 2),
        (ActivityKind.TASK, "Prepare contract draft", -1, rep, 7),
        (ActivityKind.MEETING, "Quarterly review", 7, rep, 8),
    ]
    for kind, subject, days, owner, contact_index in plan:
        services.activity_create(
            by=owner,
            fields={
                "kind": kind,
                "subject": subject,
                "due_at": moment + timedelta(days=days, hours=2),
                "contact": contacts[contact_index],
            },
        )
    services.activity_create(
        by=admin,
        fields={
            "kind": ActivityKind.NOTE,
            "subject": "Met at the logistics fair",
            "body": "Interested in tracking for 40 vans; budget approved for Q3.",
            "contact": contacts[0],
        },
    )
