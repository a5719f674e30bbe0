"""Each catalog entry gets a stable UUID (the CKAN action API's "id"); existing rows are filled.

Three steps, because a unique column cannot be added with one callable default: add it empty,
give every existing entry (and its history rows) its own UUID, then make it unique and required.
"""

import uuid

from django.db import migrations, models


def fill_uuids(apps, schema_editor):
    entry_model = apps.get_model("catalog", "CatalogEntry")
    history_model = apps.get_model("catalog", "HistoricalCatalogEntry")
    for pk in entry_model.objects.filter(uuid__isnull=True).values_list("pk", flat=True):
        value = uuid.uuid4()
        entry_model.objects.filter(pk=pk).update(uuid=value)
        history_model.objects.filter(id=pk).update(uuid=value)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_field_tags")]

    operations = [
        migrations.AddField(
            model_name="catalogentry",
            name="uuid",
            field=models.UUIDField(editable=False, null=True, verbose_name="UUID"),
        ),
        migrations.AddField(
            model_name="historicalcatalogentry",
            name="uuid",
            field=models.UUIDField(editable=False, null=True, verbose_name="UUID"),
        ),
        migrations.RunPython(fill_uuids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="catalogentry",
            name="uuid",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="UUID"
            ),
        ),
        migrations.AlterField(
            model_name="historicalcatalogentry",
            name="uuid",
            field=models.UUIDField(
                db_index=True, default=uuid.uuid4, editable=False, verbose_name="UUID"
            ),
        ),
    ]
