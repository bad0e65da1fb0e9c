"""Database-wide extensions, created once in the public schema.

Workspace schemas use them through ``search_path`` (``<tenant>, public``). Creating them from
a tenant migration would put them inside the first schema that ran it.
"""

from django.contrib.postgres.operations import (
    BtreeGinExtension,
    TrigramExtension,
    UnaccentExtension,
)
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [TrigramExtension(), BtreeGinExtension(), UnaccentExtension()]
