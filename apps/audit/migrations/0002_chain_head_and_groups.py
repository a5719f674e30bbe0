from django.db import migrations

from apps.accounts.roles import sync_bureau_groups

# Auditors read the log; reviewers and approvers too, to follow up what they see in it.
READ = {("audit", "view_auditevent")}


def forwards(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.get_or_create(pk=1)
    sync_bureau_groups(apps, extra={"reviewer": READ, "approver": READ, "auditor": READ})


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("accounts", "0003_bureau_groups"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
