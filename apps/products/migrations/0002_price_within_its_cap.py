"""An actual price names its cap and repeats the cap's amount; on PostgreSQL the pair references
the cap's (id, amount), so the check "amount ≤ cap_amount" cannot be met with a made-up cap
amount. (SQLite, used for demos only, keeps the check without the composite reference.)"""

from django.db import migrations

CONSTRAINT = "actual_price_cap_amount_matches"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE products_actualprice ADD CONSTRAINT {CONSTRAINT} "
        "FOREIGN KEY (cap_id, cap_amount) REFERENCES products_capprice (id, amount)"
       
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE products_actualprice DROP CONSTRAINT {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("products", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
