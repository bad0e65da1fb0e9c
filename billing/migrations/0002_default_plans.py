"""The plans Rapport launches with. Provider ops edit them afterwards; this only seeds."""

from decimal import Decimal

from django.db import migrations

PLANS = [
    {
        "slug": "starter",
        "name": "Starter",
        "tagline": "Contacts, deals and activities for a small team.",
        "monthly_price": Decimal("12.00"),
        "yearly_price": Decimal("120.00"),
        "seat_limit": 3,
        "features": ["pipelines", "import_export"],
        "sort_order": 1,
    },
    {
        "slug": "growth",
        "name": "Growth",
        "tagline": "Custom fields, campaigns and reports for a growing sales team.",
        "monthly_price": Decimal("29.00"),
        "yearly_price": Decimal("290.00"),
        "seat_limit": 20,
        "features": ["pipelines", "import_export", "custom_fields", "campaigns", "reports"],
        "sort_order": 2,
    },
    {
        "slug": "pro",
        "name": "Pro",
        "tagline": "Automation, the API and unlimited seats.",
        "monthly_price": Decimal("59.00"),
        "yearly_price": Decimal("590.00"),
        "seat_limit": None,
        "features": [
            "pipelines",
            "import_export",
            "custom_fields",
            "campaigns",
            "reports",
            "automation",
            "api",
        ],
        "sort_order": 3,
    },
]


def seed_plans(apps, schema_editor):  # type: ignore[no-untyped-def]
    plan_model = apps.get_model("billing", "Plan")
    for plan in PLANS:
        plan_model.objects.update_or_create(slug=plan["slug"], defaults=plan)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed_plans, migrations.RunPython.noop)]
