"""Fill the new search columns of every existing company, contact, lead and deal.

Runs in each workspace schema. The migration is not atomic: ``search_backfill`` writes
2,000 rows per transaction, so a workspace with a large table neither holds every row's lock
until the end nor keeps its rows in memory. Running it again fills only rows still empty,
which is also what ``manage.py all_tenants_command search_backfill`` does after a deployment
during which the previous release kept writing.
"""

from django.db import migrations

from crm.services.search import search_backfill


def fill(apps, schema_editor):
    for name in ("Contact", "Company", "Lead", "Deal"):
        search_backfill(apps.get_model("crm", name))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("crm", "0006_search_columns"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
