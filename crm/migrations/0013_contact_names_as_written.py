"""A contact's name is stored as written, no longer generated from first + " " + last.

PostgreSQL turns the generated column into a plain one in place (``DROP EXPRESSION`` keeps
its values and its indexes), so this is quick at any size. Names composed the old way from
Chinese, Japanese or Korean parts ("伟 李") are rewritten family name first ("李伟").
"""

from django.db import migrations, models

EAST_ASIAN = "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0012_stage_guidance"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE crm_contact ALTER COLUMN full_name DROP EXPRESSION",
                    migrations.RunSQL.noop,
                ),
                migrations.RunSQL(
                    [
                        (
                            "UPDATE crm_contact SET full_name = trim(last_name || first_name) "
                            "WHERE (first_name ~ %s OR last_name ~ %s) "
                            "AND first_name <> '' AND last_name <> ''",
                            [EAST_ASIAN, EAST_ASIAN],
                        )
                    ],
                    migrations.RunSQL.noop,
                ),
                migrations.RunSQL(
                    "UPDATE crm_contact SET full_name = trim(full_name) "
                    "WHERE full_name <> trim(full_name)",
                    migrations.RunSQL.noop,
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="contact",
                    name="full_name",
                    field=models.CharField(max_length=201, verbose_name="name"),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="contact",
            name="first_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="given name"),
        ),
        migrations.AlterField(
            model_name="contact",
            name="last_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="family name"),
        ),
    ]
