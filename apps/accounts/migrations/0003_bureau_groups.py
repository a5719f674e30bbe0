from django.db import migrations

from apps.accounts.roles import sync_bureau_groups


def create_groups(apps, schema_editor):
    sync_bureau_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("organisations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
