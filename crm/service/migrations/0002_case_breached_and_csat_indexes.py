from django.db import migrations, models

from core.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    """Two partial indexes for the case list: the "SLA breached" filter (its capped count and
    first page without reading every case) and the CSAT average of recent answered cases
    (read from the index). Built ``CONCURRENTLY`` (see ``core.migration_operations``), hence
    ``atomic = False``."""

    atomic = False

    dependencies = [
        ("service", "0001_initial"),
    ]

    operations = [
        AddIndexOnline(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    ("first_response_breached_at__isnull", False),
                    ("resolution_breached_at__isnull", False),
                    _connector="OR",
                ),
                fields=["-number", "-id"],
                name="service_case_breached_idx",
            ),
        ),
        AddIndexOnline(
            model_name="case",
            index=models.Index(
                condition=models.Q(("csat_score__isnull", False)),
                fields=["created_at"],
                include=("csat_score",),
                name="service_case_csat_idx",
            ),
        ),
    ]
