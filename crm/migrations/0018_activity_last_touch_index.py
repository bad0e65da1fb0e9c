from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Greatest

from core.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    """Each activity's last touch (created or done, whichever is later) with the record it
    is on: segments' "no activity for N days" reads the recent activities from this index
    alone instead of probing every contact's activities. Built ``CONCURRENTLY`` (see
    ``core.migration_operations``), hence ``atomic = False``."""

    atomic = False

    dependencies = [
        ("crm", "0017_contact_phone_tokens_without_pending_list"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexOnline(
            model_name="activity",
            index=models.Index(
                Greatest("created_at", "done_at"),
                include=("contact", "company", "created_at", "done_at"),
                name="crm_activity_last_touch_idx",
            ),
        ),
    ]
