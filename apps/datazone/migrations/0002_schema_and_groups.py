from django.db import migrations

from apps.accounts.roles import sync_bureau_groups

VIEW = {
    ("datazone", "view_dataversion"),
    ("datazone", "view_historicaldataversion"),
}
ROLLBACK = VIEW | {("datazone", "rollback_dataversion")}


def create_schema(apps, schema_editor):
    # The version tables live in their own schema on PostgreSQL (apps/datazone/storage.py);
    # SQLite keeps them in the main database.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE SCHEMA IF NOT EXISTS datazone")


def drop_schema(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SCHEMA IF EXISTS datazone CASCADE")


def groups(apps, schema_editor):
    sync_bureau_groups(
        apps, extra={"reviewer": ROLLBACK, "approver": ROLLBACK, "auditor": VIEW}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("datazone", "0001_initial"),
        ("accounts", "0003_bureau_groups"),
    ]

    operations = [
        migrations.RunPython(create_schema, drop_schema),
        migrations.RunPython(groups, migrations.RunPython.noop),
    ]
