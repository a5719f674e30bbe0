from django.db import migrations

from apps.accounts.roles import sync_bureau_groups

TABLE = "cdo_cdoassignment"
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"ALTER TABLE {TABLE} ADD CONSTRAINT cdo_no_overlapping_terms EXCLUDE USING gist "
    "(department_id WITH =, tstzrange(term_start, term_end, '[)') WITH &&)",
]
# SQLite has no exclusion constraints: triggers refuse an overlapping term on insert and update.
_OVERLAP = (
    f"SELECT 1 FROM {TABLE} other WHERE other.department_id = NEW.department_id "
    "AND other.id IS NOT NEW.id "
    "AND (other.term_end IS NULL OR other.term_end > NEW.term_start) "
    "AND (NEW.term_end IS NULL OR NEW.term_end > other.term_start)"
)
SQLITE = [
    f"CREATE TRIGGER cdo_no_overlap_insert BEFORE INSERT ON {TABLE} "
    f"WHEN EXISTS ({_OVERLAP}) BEGIN SELECT RAISE(ABORT, 'cdo_no_overlapping_terms'); END",
    f"CREATE TRIGGER cdo_no_overlap_update BEFORE UPDATE ON {TABLE} "
    f"WHEN EXISTS ({_OVERLAP}) BEGIN SELECT RAISE(ABORT, 'cdo_no_overlapping_terms'); END",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []:
        schema_editor.execute(statement)
    view = {("cdo", "view_cdoassignment"), ("cdo", "view_historicalcdoassignment")}
    sync_bureau_groups(
        apps,
        extra={
            "reviewer": view | {("cdo", "appoint_cdo")},
            "approver": view | {("cdo", "appoint_cdo")},
            "auditor": view,
        },
    )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT cdo_no_overlapping_terms")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER cdo_no_overlap_insert")
        schema_editor.execute("DROP TRIGGER cdo_no_overlap_update")


class Migration(migrations.Migration):
    dependencies = [("cdo", "0001_initial"), ("accounts", "0003_bureau_groups")]

    operations = [migrations.RunPython(forwards, backwards)]
