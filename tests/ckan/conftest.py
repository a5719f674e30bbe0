"""A small published catalog (and what must never show) for the CKAN action API's tests."""

import pytest

from tests.factories import make_entry
from tests.opendata.conftest import OPEN_FIELDS, load_rows_open, open_rows


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalog(department, other_department, department_member, reviewer, tmp_path):
    """Published: an open entry with live data, a conditional and a not-open one; unpublished:
    a draft and a retired entry."""
    open_entry = make_entry(
        department=department, actor=department_member, status="published", reviewer=reviewer,
        fields=OPEN_FIELDS, openness="open", title="公共自行车站点", sector="transport",
        keywords=["交通", "自行车"],
    )  # fmt: skip
    load_rows_open(open_entry, open_rows(5), tmp_path)
    return {
        "open": open_entry,
        "conditional": make_entry(department=department, status="published", reviewer=reviewer),
        "not_open": make_entry(
            department=other_department,
            status="published",
            reviewer=reviewer,
            grade="core",
            openness="not_open",
            sector="health",
            keywords=["医疗"],
        ),
        "draft": make_entry(department=department, status="draft", title="草稿条目"),
        "retired": make_entry(department=department, status="retired", reviewer=reviewer),
    }


@pytest.fixture
def published(catalog):
    return [catalog[name] for name in ("open", "conditional", "not_open")]
