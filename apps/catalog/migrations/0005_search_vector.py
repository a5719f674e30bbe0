from django.db import migrations

# PostgreSQL keeps the search tokens as a stored tsvector with a GIN index; SQLite scans
# search_document instead (CatalogEntryQuerySet.search).
FORWARDS = [
    "DROP INDEX IF EXISTS catalog_entry_search",
    "ALTER TABLE catalog_catalogentry ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, COALESCE(search_document, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS catalog_entry_search_vector ON catalog_catalogentry "
    "USING gin (search_vector)",
]
BACKWARDS = [
    "DROP INDEX IF EXISTS catalog_entry_search_vector",
    "ALTER TABLE catalog_catalogentry DROP COLUMN IF EXISTS search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_published_order")]

    operations = [migrations.RunPython(_run(FORWARDS), _run(BACKWARDS))]
