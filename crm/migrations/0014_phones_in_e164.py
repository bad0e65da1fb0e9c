"""Phone numbers already stored are rewritten in E.164 when they parse, with the workspace's
country as the default region (its row in the public schema); anything else stays as it was
typed. New numbers are normalised by the record services."""

import phonenumbers
from django.db import migrations

BATCH = 2000


def _region(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT country FROM public.tenants_tenant WHERE schema_name = current_schema()"
        )
        row = cursor.fetchone()
    return (row[0] or "").upper() or None if row else None


def _e164(raw, region):
    text = (raw or "").strip()
    if not text:
        return raw
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return raw
    if not phonenumbers.is_valid_number(number):
        return raw
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise(apps, schema_editor):
    region = _region(schema_editor)
    for model_name, fields in (
        ("Contact", ("phone", "mobile")),
        ("Company", ("phone",)),
        ("Lead", ("phone",)),
    ):
        model = apps.get_model("crm", model_name)
        for field in fields:
            values = (
                model.objects.exclude(**{field: ""})
                .values_list(field, flat=True)
                .distinct()
                .iterator(chunk_size=BATCH)
            )
            for value in list(values):
                normalised = _e164(value, region)
                if normalised != value:
                    model.objects.filter(**{field: value}).update(**{field: normalised})


class Migration(migrations.Migration):
    dependencies = [("crm", "0013_contact_names_as_written")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
