from django.db import migrations

from apps.accounts.roles import sync_bureau_groups

# The search expression of CatalogEntryQuerySet.search(); PostgreSQL only (SQLite scans).
CREATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS catalog_entry_search ON catalog_catalogentry "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_document, '')))"
)


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_INDEX)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS catalog_entry_search")


def groups(apps, schema_editor):
    sync_bureau_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("accounts", "0003_bureau_groups"),
    ]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index),
        migrations.RunPython(groups, migrations.RunPython.noop),
    ]
