"""Changes that cannot affect an API call stay quiet (see 0002 and apps/api/access_cache.py):

- a catalog entry that neither was nor becomes published has no authorization to query, so a
  department editing its drafts does not empty every worker's cache;
- a data version that neither was nor becomes live is not read by any call (uploads, loads and
  refusals of new versions).
"""

from django.db import migrations

TRIGGER = "portal_api_access_update"
FUNCTION = "portal_api_access_changed"

# model → (condition on OLD/NEW rows, columns whose change alone stays quiet)
RELEVANT = {
    ("catalog", "CatalogEntry"): ("OLD.status = 'published' OR NEW.status = 'published'", []),
    ("datazone", "DataVersion"): (
        "OLD.is_live OR NEW.is_live",
        ["rows_processed", "rows_total_estimate", "heartbeat_at"],
    ),
}


def _changed(quiet: list[str]) -> str:
    old, new = "to_jsonb(OLD)", "to_jsonb(NEW)"
    for column in quiet:
        old, new = f"{old} - '{column}'", f"{new} - '{column}'"
    return f"{old} IS DISTINCT FROM {new}"


def _recreate(apps, schema_editor, *, with_relevance: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for (app_label, model_name), (relevant, quiet) in RELEVANT.items():
        table = apps.get_model(app_label, model_name)._meta.db_table
        condition = _changed(quiet)
        if with_relevance:
            condition = f"({relevant}) AND {condition}"
        schema_editor.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
        schema_editor.execute(
            f'CREATE TRIGGER {TRIGGER} AFTER UPDATE ON "{table}" FOR EACH ROW '
            f"WHEN ({condition}) EXECUTE FUNCTION {FUNCTION}()"
        )


def forwards(apps, schema_editor):
    _recreate(apps, schema_editor, with_relevance=True)


def backwards(apps, schema_editor):
    _recreate(apps, schema_editor, with_relevance=False)


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_access_change_notify"),
        ("datazone", "0003_archived_versions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
