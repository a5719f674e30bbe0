from django.db import migrations

from apps.accounts.roles import sync_bureau_groups

MODELS = [
    "product", "productreview", "capprice", "actualprice", "maximumallowedrevenue",
    "revenueceilingdeduction", "productrevenue", "annualdisclosure",
]
VIEW = {("products", f"view_{model}") for model in MODELS} | {
    ("products", f"view_historical{model}") for model in MODELS
}
# Reviewers record the two reviews and check ceilings; approvers also set cap prices, approve
# ceilings (never the ones they checked) and publish the bureau's disclosure; auditors read.
REVIEWER = VIEW | {("products", "review_product"), ("products", "check_maximumallowedrevenue")}
APPROVER = VIEW | {
    ("products", "review_product"),
    ("products", "price_product"),
    ("products", "approve_maximumallowedrevenue"),
    ("products", "publish_annualdisclosure"),
}


def groups(apps, schema_editor):
    sync_bureau_groups(apps, extra={"reviewer": REVIEWER, "approver": APPROVER, "auditor": VIEW})


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0002_price_within_its_cap"),
        ("accounts", "0003_bureau_groups"),
    ]

    operations = [migrations.RunPython(groups, migrations.RunPython.noop)]
