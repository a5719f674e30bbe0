from django.db import migrations

from apps.accounts.roles import sync_bureau_groups

MODELS = [
    "revenuereport", "settlement", "revenuesharerecord", "localtaxstatus",
    "certifiedtransactionamount", "transactionsupport",
]
VIEW = {("revenue", f"view_{model}") for model in MODELS} | {
    ("revenue", f"view_historical{model}") for model in MODELS
}
# Reviewers verify reports and settle months; approvers also adjust settled shares, keep the tax
# status and certified amounts, and compute large-transaction support; auditors only read.
REVIEWER = VIEW | {("revenue", "review_revenuereport"), ("revenue", "settle_settlement")}
APPROVER = REVIEWER | {
    ("revenue", "adjust_revenuesharerecord"),
    ("revenue", "compute_transactionsupport"),
    ("revenue", "add_localtaxstatus"),
    ("revenue", "change_localtaxstatus"),
    ("revenue", "add_certifiedtransactionamount"),
    ("revenue", "change_certifiedtransactionamount"),
}


def groups(apps, schema_editor):
    sync_bureau_groups(apps, extra={"reviewer": REVIEWER, "approver": APPROVER, "auditor": VIEW})


class Migration(migrations.Migration):
    dependencies = [
        ("revenue", "0001_initial"),
        ("accounts", "0003_bureau_groups"),
    ]

    operations = [migrations.RunPython(groups, migrations.RunPython.noop)]
