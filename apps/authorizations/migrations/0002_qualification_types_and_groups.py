from django.db import migrations

from apps.accounts.roles import sync_bureau_groups

TYPES = [
    ("business-licence", "营业执照", "Business licence of the market entity.", True),
    ("data-security", "数据安全能力认证", "Data security capability certification.", True),
    ("dcmm", "数据管理能力成熟度评估（DCMM）", "Data management capability maturity.", False),
    ("iso27001", "信息安全管理体系认证（ISO/IEC 27001）", "Information security management.", False),
]


def forwards(apps, schema_editor):
    qualification_type = apps.get_model("authorizations", "QualificationType")
    for code, name, description, required in TYPES:
        qualification_type.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "required": required}
        )
    sync_bureau_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("authorizations", "0001_initial"),
        ("catalog", "0003_alter_catalogentry_options"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
