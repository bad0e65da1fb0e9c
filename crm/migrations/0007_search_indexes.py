"""Indexes behind the search columns, built once ``0006`` has filled them.

Trigram GIN indexes on ``search_text`` and ``search_phones`` (``LIKE`` with a word boundary or
three letters), GIN on the ``search_keys`` and ``search_typos`` arrays (``&&``).
"""

import django.contrib.postgres.indexes
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0006_search_backfill"),
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
    ]
