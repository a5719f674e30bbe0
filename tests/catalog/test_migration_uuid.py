"""Migration 0008 gives every existing entry (and its history rows) its own UUID."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_entries_get_distinct_uuids(department):
    executor = MigrationExecutor(connection)
    before = [("catalog", "0007_field_tags")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    entry_model = old_apps.get_model("catalog", "CatalogEntry")
    history_model = old_apps.get_model("catalog", "HistoricalCatalogEntry")
    user = old_apps.get_model("accounts", "User").objects.create(username="migration-author")
    common = {
        "department_id": department.pk, "description": "说明", "sector": "education",
        "update_frequency": "annual", "contact_name": "张老师", "grade": "general",
        "openness": "open", "status": "published", "created_by_id": user.pk,
    }  # fmt: skip
    ids = []
    for number in range(3):
        entry = entry_model.objects.create(identifier=f"EDU-{number:05d}", title="条目", **common)
        history_model.objects.create(
            id=entry.pk, identifier=entry.identifier, title="条目", history_type="+",
            history_date=entry.created_at, created_at=entry.created_at, **common,
        )  # fmt: skip
        ids.append(entry.pk)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from apps.catalog.models import CatalogEntry

    uuids = dict(CatalogEntry.objects.filter(pk__in=ids).values_list("pk", "uuid"))
    assert len(set(uuids.values())) == 3
    assert all(uuids.values())
    for pk, value in uuids.items():
        assert set(CatalogEntry.history.filter(id=pk).values_list("uuid", flat=True)) == {value}
