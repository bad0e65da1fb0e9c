"""The Signup model now belongs to ``onboarding.signups`` (the customer's journey); tenants
keeps only the tenancy mechanics. State only: the table stays where it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0006_workspace_locale"),
        ("signups", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Signup")],
            database_operations=[],
        ),
    ]
