"""Indexes behind the search columns, built once ``0006`` has filled them.

Trigram GIN indexes on ``search_text`` and ``search_phones`` (``LIKE`` with a word boundary or
three letters), GIN on the ``search_keys`` and ``search_typos`` arrays (``&&``).

PostgreSQL estimates how many rows a ``LIKE '%…%'`` matches by trying it on a sample of the
column's values. With the default 100 values, a word found in one of them is taken for 1% of
the table: on 100k contacts, a list search for ``cdw`` (six people) then walks the name
index hoping to fill its page early and reads all of it (0.1 s). A 1,000-value sample
(statistics target 1000 on the text columns) tells six from a thousand; the schema clone
copies the setting (``tenants.schema_clone``).
"""

import django.contrib.postgres.indexes
from django.db import migrations

#: Columns whose ``LIKE`` selectivity is estimated from a larger sample.
SAMPLED = {
    "crm_company": ["search_text", "search_phones"],
    "crm_contact": ["search_text", "search_phones"],
    "crm_lead": ["search_text", "search_phones"],
    "crm_deal": ["search_text"],
}


def statistics(target):
    """One ``ALTER TABLE`` per table setting its sampled columns' statistics target."""
    return [
        f"ALTER TABLE {table} "
        + ", ".join(f"ALTER COLUMN {column} SET STATISTICS {target}" for column in columns)
        for table, columns in SAMPLED.items()
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0007_search_backfill"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="company",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_text"],
                name="crm_company_search_text_trgm",
                opclasses=["gin_trgm_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="company",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_keys"], name="crm_company_search_keys_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="company",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_typos"], name="crm_company_search_typos_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="company",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_phones"],
                name="crm_company_search_phones_trgm",
                opclasses=["gin_trgm_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_text"],
                name="crm_contact_search_text_trgm",
                opclasses=["gin_trgm_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_keys"], name="crm_contact_search_keys_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_typos"], name="crm_contact_search_typos_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_phones"],
                name="crm_contact_search_phones_trgm",
                opclasses=["gin_trgm_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_text"], name="crm_deal_search_text_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_keys"], name="crm_deal_search_keys_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_typos"], name="crm_deal_search_typos_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_text"], name="crm_lead_search_text_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_keys"], name="crm_lead_search_keys_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_typos"], name="crm_lead_search_typos_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="lead",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_phones"],
                name="crm_lead_search_phones_trgm",
                opclasses=["gin_trgm_ops"],
            ),
        ),
        migrations.RunSQL(statistics(1000), statistics(-1)),
    ]
