"""Bureau staff groups and their model permissions.

Reviewers check submissions, approvers decide, auditors only read. Each app that adds models lists
their permissions here; the data migrations call ``sync_bureau_groups`` so a fresh database and an
upgraded one end up with the same groups.
"""

from typing import Any

from django.utils.translation import gettext_lazy

REVIEWER = "reviewer"
APPROVER = "approver"
AUDITOR = "auditor"

# The groups' names as staff read them (a 403 names the role a page needs).
ROLE_LABELS = {
    REVIEWER: gettext_lazy("reviewer"),
    APPROVER: gettext_lazy("approver"),
    AUDITOR: gettext_lazy("auditor"),
}

_READ_MODELS = [
    ("organisations", "bureau"),
    ("organisations", "department"),
    ("organisations", "operator"),
    ("accounts", "user"),
    ("catalog", "catalogentry"),
    ("catalog", "historicalcatalogentry"),
    ("catalog", "catalogfield"),
    ("catalog", "historicalcatalogfield"),
    *[
        ("authorizations", model)
        for name in ("qualification", "scenario", "application", "authorization", "agreement")
        for model in (name, f"historical{name}")
    ],
    ("authorizations", "qualificationtype"),
]
_REVIEW = {
    ("organisations", "change_department"),
    ("organisations", "change_operator"),
    ("catalog", "review_catalogentry"),
}

# group -> {(app_label, codename)}
BUREAU_GROUP_PERMISSIONS: dict[str, set[tuple[str, str]]] = {
    REVIEWER: {(app, f"view_{model}") for app, model in _READ_MODELS}
    | _REVIEW
    | {
        ("authorizations", "review_qualification"),
        ("authorizations", "recommend_application"),
    },
    APPROVER: {(app, f"view_{model}") for app, model in _READ_MODELS}
    | _REVIEW
    | {("authorizations", "decide_application")},
    AUDITOR: {(app, f"view_{model}") for app, model in _READ_MODELS},
}


def sync_bureau_groups(apps: Any, extra: dict[str, set[tuple[str, str]]] | None = None) -> None:
    """Create the bureau groups and give them their permissions (used from data migrations)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, wanted in BUREAU_GROUP_PERMISSIONS.items():
        wanted = wanted | (extra or {}).get(name, set())
        group, _ = group_model.objects.get_or_create(name=name)
        for app_label, codename in sorted(wanted):
            permission = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
