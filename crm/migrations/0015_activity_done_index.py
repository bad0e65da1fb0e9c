from django.conf import settings
from django.db import migrations, models

from core.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    """Activities done in a period per owner and kind (insights' rep activity): an
    index-only scan of the period instead of the whole table. Built ``CONCURRENTLY`` (see
    ``core.migration_operations``), hence ``atomic = False``."""

    atomic = False

    dependencies = [
        ("crm", "0014_phones_in_e164"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexOnline(
            model_name="activity",
            index=models.Index(
                condition=models.Q(("done_at__isnull", False)),
                fields=["done_at"],
                include=("kind", "owner"),
                name="crm_activity_done_idx",
            ),
        ),
    ]
