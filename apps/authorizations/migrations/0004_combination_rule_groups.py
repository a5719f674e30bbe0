from django.db import migrations

from apps.accounts.roles import sync_bureau_groups

_READ = {
    ("authorizations", f"view_{model}")
    for name in ("combinationrule", "aggregationjustification")
    for model in (name, f"historical{name}")
}
# Approvers set the combination rules; everyone in the bureau reads them.
APPROVER = _READ | {
    ("authorizations", "add_combinationrule"),
    ("authorizations", "change_combinationrule"),
}


def forwards(apps, schema_editor):
    sync_bureau_groups(apps, extra={"reviewer": _READ, "approver": APPROVER, "auditor": _READ})


class Migration(migrations.Migration):
    dependencies = [("authorizations", "0003_combination_rules")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
