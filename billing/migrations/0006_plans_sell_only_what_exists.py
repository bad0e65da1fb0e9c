"""Plans list only features that exist (billing.features.FEATURES), with honest taglines.

Campaigns, reports, automation, the API and import were sold before they existed. Plans keep
what works; "pipelines" (every plan has one) becomes "multiple_pipelines" where the plan
offered more than the basics, and the top plans gain the audit log.
"""

from django.db import migrations

KNOWN = {"multiple_pipelines", "custom_fields", "audit_log"}
TAGLINES = {
    "starter": "Contacts, companies, deals in one pipeline and activities for a small team.",
    "growth": "Custom fields and several pipelines for a growing sales team.",
    "pro": "Everything in Growth, an audit log of every change and unlimited users.",
}


def sell_only_what_exists(apps, schema_editor):  # type: ignore[no-untyped-def]
    plan_model = apps.get_model("billing", "Plan")
    for plan in plan_model.objects.all():
        old = set(plan.features or [])
        new = old & KNOWN
        if "custom_fields" in old:
            new.add("multiple_pipelines")
        if old & {"automation", "api"}:
            new.add("audit_log")
        plan.features = sorted(new)
        if plan.slug in TAGLINES:
            plan.tagline = TAGLINES[plan.slug]
        plan.save(update_fields=["features", "tagline"])


class Migration(migrations.Migration):
    dependencies = [("billing", "0005_sandbox_trials_prorations")]

    operations = [migrations.RunPython(sell_only_what_exists, migrations.RunPython.noop)]
