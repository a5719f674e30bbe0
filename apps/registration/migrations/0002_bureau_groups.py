from django.db import migrations

from apps.accounts.roles import sync_bureau_groups

MODELS = ["registrationapplication", "objection", "registration", "yeararrangement"]
VIEW = {("registration", f"view_{model}") for model in MODELS} | {
    ("registration", f"view_historical{model}") for model in MODELS
}
# Reviewers and approvers decide registrations and keep the working-day calendar; auditors read.
DECIDE = VIEW | {
    ("registration", "decide_registrationapplication"),
    ("registration", "add_yeararrangement"),
    ("registration", "change_yeararrangement"),
}


def groups(apps, schema_editor):
    sync_bureau_groups(apps, extra={"reviewer": DECIDE, "approver": DECIDE, "auditor": VIEW})


class Migration(migrations.Migration):
    dependencies = [
        ("registration", "0001_initial"),
        ("accounts", "0003_bureau_groups"),
    ]

    operations = [migrations.RunPython(groups, migrations.RunPython.noop)]
