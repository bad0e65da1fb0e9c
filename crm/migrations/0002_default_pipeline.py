"""Every workspace starts with a "Sales" pipeline and the CRM settings row.

New workspaces are cloned from the template schema with its data, so creating the rows here
gives every workspace the same defaults without a provisioning step.
"""

from django.db import migrations

DEFAULT_STAGES = [
    # name, probability, kind, colour, rotting days
    ("Qualified", 10, "open", "azure", 14),
    ("Contact made", 20, "open", "blue", 14),
    ("Proposal", 50, "open", "indigo", 21),
    ("Negotiation", 75, "open", "purple", 21),
    ("Won", 100, "won", "green", None),
    ("Lost", 0, "lost", "red", None),
]


def create_defaults(apps, schema_editor):
    Pipeline = apps.get_model("crm", "Pipeline")
    Stage = apps.get_model("crm", "Stage")
    CrmSettings = apps.get_model("crm", "CrmSettings")
    CrmSettings.objects.get_or_create(pk=1)
    if Pipeline.objects.exists():
        return
    pipeline = Pipeline.objects.create(name="Sales", position=0)
    for position, (name, probability, kind, colour, rotting_days) in enumerate(DEFAULT_STAGES):
        Stage.objects.create(
            pipeline=pipeline,
            name=name,
            position=position,
            probability=probability,
            kind=kind,
            colour=colour,
            rotting_days=rotting_days,
        )


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
