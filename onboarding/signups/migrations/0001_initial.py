"""The Signup model moves here from ``tenants``; its table (``tenants_signup``) stays.

State only: the table already exists (created by ``tenants.0003``), so nothing is run against
the database; ``tenants.0007`` drops the model from the tenants app's state afterwards.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("tenants", "0006_workspace_locale"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Signup",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "public_id",
                            models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
                        ),
                        ("admin_name", models.CharField(max_length=150, verbose_name="admin name")),
                        (
                            "admin_email",
                            models.EmailField(max_length=254, verbose_name="admin email"),
                        ),
                        ("admin_password_hash", models.CharField(max_length=256)),
                        (
                            "plan_slug",
                            models.SlugField(blank=True, max_length=40, verbose_name="plan"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("waiting", "Waiting for a workspace"),
                                    ("ready", "Ready"),
                                    ("failed", "Failed"),
                                ],
                                default="waiting",
                                max_length=20,
                            ),
                        ),
                        ("provisioning_method", models.CharField(blank=True, max_length=20)),
                        ("error", models.TextField(blank=True)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("ready_at", models.DateTimeField(blank=True, null=True)),
                        ("handoff_used_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "tenant",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="signup",
                                to="tenants.tenant",
                            ),
                        ),
                    ],
                    options={"ordering": ["-created_at"], "db_table": "tenants_signup"},
                ),
            ],
            database_operations=[],
        ),
    ]
