"""Announce every committed change to what the API's access checks read (apps/api/access_cache.py).

PostgreSQL only: statement-level triggers on insert, delete and truncate, and a row-level
trigger on update that stays quiet when only bookkeeping columns changed (a key's last use, a
user's last login, a load's progress). NOTIFY is transactional: the workers hear of a change when
it commits, never before.
"""

from django.db import migrations

FUNCTION = "portal_api_access_changed"
TRIGGER = "portal_api_access"  # trigger names are per table
CHANNEL = "portal_api_access"

# (app label, model, columns whose change alone does not affect access)
WATCHED = [
    ("api", "ApiKey", ["last_used_at"]),
    ("authorizations", "Authorization", []),
    ("authorizations", "Qualification", []),
    ("authorizations", "QualificationType", []),
    ("authorizations", "CatalogEntryGroupObjectPermission", []),
    ("authorizations", "CatalogEntryUserObjectPermission", []),
    ("organisations", "Operator", []),
    ("organisations", "Department", []),
    ("accounts", "User", ["last_login"]),
    ("catalog", "CatalogEntry", []),
    ("datazone", "DataVersion", ["rows_processed", "rows_total_estimate", "heartbeat_at"]),
]


def _tables(apps):
    key_limits = apps.get_model("api", "ApiKey")._meta.get_field("authorizations")
    yield key_limits.remote_field.through._meta.db_table, []
    for app_label, model_name, quiet in WATCHED:
        yield apps.get_model(app_label, model_name)._meta.db_table, quiet


def _statements(table: str, quiet: list[str]) -> list[str]:
    # Rows compared as jsonb: every column type has an equality there (json columns do not).
    old, new = "to_jsonb(OLD)", "to_jsonb(NEW)"
    for column in quiet:
        old, new = f"{old} - '{column}'", f"{new} - '{column}'"
    return [
        f'CREATE TRIGGER {TRIGGER}_write AFTER INSERT OR DELETE OR TRUNCATE ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
        f'CREATE TRIGGER {TRIGGER}_update AFTER UPDATE ON "{table}" '
        f"FOR EACH ROW WHEN ({old} IS DISTINCT FROM {new}) EXECUTE FUNCTION {FUNCTION}()",
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$"
    )
    for table, quiet in _tables(apps):
        for statement in _statements(table, quiet):
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _quiet in _tables(apps):
        for suffix in ("write", "update"):
            schema_editor.execute(f'DROP TRIGGER IF EXISTS {TRIGGER}_{suffix} ON "{table}"')
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("accounts", "0003_bureau_groups"),
        ("authorizations", "0002_qualification_types_and_groups"),
        ("catalog", "0006_awaiting_confirmation"),
        ("datazone", "0002_schema_and_groups"),
        ("organisations", "0002_cdo_confirmation"),
    ]

    operations = [migrations.RunPython(create, drop)]
