import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.conf import settings
from django.db import migrations, models

from core.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    """An exact-number index on contacts' phones (imports look a chunk's numbers up at once).

    Built with ``CREATE INDEX CONCURRENTLY`` so a workspace's contacts stay writable meanwhile
    (hence ``atomic = False``; see ``core.migration_operations``).
    """

    atomic = False

    dependencies = [
        ("crm", "0015_activity_done_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexOnline(
            model_name="contact",
            index=django.contrib.postgres.indexes.GinIndex(
                models.Func(
                    models.Func(models.F("search_phones"), function="btrim"),
                    models.Value(" "),
                    function="string_to_array",
                    output_field=django.contrib.postgres.fields.ArrayField(
                        base_field=models.TextField(), size=None
                    ),
                ),
                name="crm_contact_phone_tokens_gin",
            ),
        ),
    ]
