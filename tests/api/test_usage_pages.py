"""The operator's and the department's usage pages: who may see them, figures against hand-computed
ones, the 30-day chart, the most recent calls, and a constant number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.api import services as api_services
from apps.api.selectors import CHART_DAYS, DayFigures, Figures
from apps.api.views_usage import CHART_HEIGHT, chart_bars
from tests.api.fixtures_keys import *  # noqa: F403
from tests.api.fixtures_keys import frozen_now, grant, local, make_key
from tests.authorizations.conftest import qualify
from tests.factories import UserFactory, make_entry

OPERATOR_PAGE = "operator_usage:index"
DEPARTMENT_PAGE = "department_usage:index"


def _record(key, authorization, when, *, status=200, rows=0, cells=0, path="/api/v1/x/"):
    return api_services.usage_record(
        key=key, operator_id=key.operator_id, authorization=authorization, endpoint="records",
        method="GET", path=path, parameters={}, status_code=status, rows=rows, cells=cells,
        latency_ms=12.0, created_at=when,
    )  # fmt: skip


def _moment():
    past = timezone.localdate() - timedelta(days=40)
    return local(past.year, past.month, 20, 9, 30)


@pytest.fixture
def history(operator_admin, authorization, second_authorization):
    """Calls on the 20th (today), the 19th, the 2nd and 31 days ago (outside the chart)."""
    key, _raw = make_key(operator_admin, name="生产系统")
    now = _moment()
    _record(key, authorization, now - timedelta(minutes=1), rows=40, cells=80)
    _record(key, authorization, now - timedelta(minutes=2), status=403)
    _record(key, authorization, now - timedelta(days=1), rows=7, cells=14)
    _record(key, authorization, now.replace(day=2), rows=3, cells=6)
    _record(key, authorization, now - timedelta(days=31), rows=500, cells=1000)
    _record(key, second_authorization, now - timedelta(days=1), rows=2, cells=2)
    with frozen_now(now):
        api_services.quota_reserve(authorization=authorization, rows=40)
    return now


def _usage(response, authorization):
    return next(
        u for u in response.context["report"].authorizations if u.authorization == authorization
    )


# Operator page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["operator_admin", "operator_member"])
def test_operator_members_see_usage_per_authorization(
    client, request, persona, history, authorization, second_authorization
):
    client.force_login(request.getfixturevalue(persona))

    with frozen_now(history):
        response = client.get(reverse(OPERATOR_PAGE))

    assert response.status_code == 200
    usage = _usage(response, authorization)
    assert usage.today == Figures(calls=2, refused=1, rows=40, cells=80)
    assert usage.month == Figures(calls=4, refused=1, rows=50, cells=100)
    assert usage.quota_used_today == 40
    assert usage.quota_remaining_today == 10_000 - 40
    assert _usage(response, second_authorization).today == Figures()
    assert _usage(response, second_authorization).month == Figures(calls=1, rows=2, cells=2)


def test_the_chart_has_thirty_days_ending_today(client, operator_member, history, authorization):
    client.force_login(operator_member)

    with frozen_now(history):
        response = client.get(reverse(OPERATOR_PAGE))

    days = _usage(response, authorization).days
    assert len(days) == CHART_DAYS
    assert days[-1].day == history.date()
    assert days[0].day == history.date() - timedelta(days=CHART_DAYS - 1)
    by_day = {d.day: d.figures.calls for d in days if d.figures.calls}
    assert by_day == {
        history.date(): 2,
        history.date() - timedelta(days=1): 1,
        history.date().replace(day=2): 1,
    }  # 31 days ago is outside the chart
    assert response.text.count('<svg class="usage-chart"') == 2
    assert response.text.count("<rect ") == 2 * CHART_DAYS


def test_the_operator_sees_its_most_recent_calls_newest_first(
    client, operator_member, operator_admin, history, authorization
):
    key, _raw = make_key(operator_admin, name="批量任务")
    for number in range(55):
        _record(key, authorization, history - timedelta(seconds=number), path=f"/n/{number}/")
    client.force_login(operator_member)

    with frozen_now(history):
        recent = client.get(reverse(OPERATOR_PAGE)).context["report"].recent

    assert len(recent) == 50
    assert recent[0].path == "/n/0/"
    assert [r.created_at for r in recent] == sorted((r.created_at for r in recent), reverse=True)


def test_the_operator_sees_only_its_own_usage(
    client, history, other_operator, other_operator_admin, reviewer
):
    other_key, _raw = make_key(other_operator_admin)
    _record(other_key, None, history, path="/others/")
    client.force_login(other_operator_admin)

    with frozen_now(history):
        report = client.get(reverse(OPERATOR_PAGE)).context["report"]

    assert report.authorizations == []
    assert [r.path for r in report.recent] == ["/others/"]


@pytest.mark.parametrize("persona", ["department_member", "reviewer", "outsider"])
def test_others_may_not_open_the_operator_page(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse(OPERATOR_PAGE)).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, db):
    for name in (OPERATOR_PAGE, DEPARTMENT_PAGE):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_operator_page_runs_a_constant_number_of_queries(
    client, operator_member, operator_admin, history, authorization, department, reviewer,
    department_member, department_admin, approver, scenario,
):  # fmt: skip
    client.force_login(operator_member)
    with frozen_now(history):
        client.get(reverse(OPERATOR_PAGE))
        with CaptureQueriesContext(connection) as before:
            client.get(reverse(OPERATOR_PAGE))
    key, _raw = make_key(operator_admin, name="更多")
    for title in ("全市高中学校名录", "全市职业学校名录"):
        entry = make_entry(
            department=department, actor=department_member, status="published",
            reviewer=reviewer, title=title,
        )  # fmt: skip
        more = grant(
            authorization.operator, entry, scenario, member=operator_member,
            department_admin=department_admin, reviewer=reviewer, approver=approver,
            valid_from=timezone.now() - timedelta(days=400),
        )  # fmt: skip
        for days in range(5):
            _record(key, more, history - timedelta(days=days), rows=1)
    with frozen_now(history), CaptureQueriesContext(connection) as after:
        response = client.get(reverse(OPERATOR_PAGE))

    assert len(response.context["report"].authorizations) == 4
    assert len(after) == len(before)


# Department page -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["department_member", "department_admin"])
def test_department_members_see_the_usage_of_their_entries(
    client, request, persona, history, authorization, second_authorization
):
    client.force_login(request.getfixturevalue(persona))

    with frozen_now(history):
        response = client.get(reverse(DEPARTMENT_PAGE))

    assert response.status_code == 200
    report = response.context["report"]
    assert {u.authorization for u in report.authorizations} == {
        authorization,
        second_authorization,
    }
    assert _usage(response, authorization).month == Figures(calls=4, refused=1, rows=50, cells=100)
    assert len(report.recent) == 6
    assert authorization.operator.name in response.text


def test_a_department_does_not_see_the_usage_of_other_departments_entries(
    client, history, other_department, reviewer
):
    stranger = UserFactory(department=other_department, organisation_role="member")
    client.force_login(stranger)

    with frozen_now(history):
        report = client.get(reverse(DEPARTMENT_PAGE)).context["report"]

    assert report.authorizations == []
    assert report.recent == []


@pytest.mark.parametrize("persona", ["operator_admin", "reviewer", "outsider"])
def test_others_may_not_open_the_department_page(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse(DEPARTMENT_PAGE)).status_code == 403


def test_the_department_page_runs_a_constant_number_of_queries(
    client, department_member, history, operator_admin, authorization, other_operator,
    other_operator_admin, reviewer, approver, entry, department_admin,
):  # fmt: skip
    client.force_login(department_member)
    with frozen_now(history):
        client.get(reverse(DEPARTMENT_PAGE))
        with CaptureQueriesContext(connection) as before:
            client.get(reverse(DEPARTMENT_PAGE))
    qualify(other_operator, other_operator_admin, reviewer)
    scenario = api_services_scenario(other_operator, other_operator_admin)
    theirs = grant(
        other_operator, entry, scenario, member=other_operator_admin,
        department_admin=department_admin, reviewer=reviewer, approver=approver,
        valid_from=timezone.now() - timedelta(days=400),
    )  # fmt: skip
    key, _raw = make_key(other_operator_admin)
    for days in range(3):
        _record(key, theirs, history - timedelta(days=days), rows=2)
    with frozen_now(history), CaptureQueriesContext(connection) as after:
        response = client.get(reverse(DEPARTMENT_PAGE))

    assert len(response.context["report"].authorizations) == 3
    assert len(after) == len(before)


def api_services_scenario(operator, actor):
    from apps.authorizations import services

    return services.scenario_create(
        operator=operator, actor=actor,
        data={"title": "出行分析", "sector": "education", "description": "分析",
              "expected_product": "报告", "use": "industry"},
    )  # fmt: skip


def test_departments_find_usage_in_the_navigation(client, department_member):
    client.force_login(department_member)

    links = {link.url for link in client.get(reverse("home")).context["navigation"]}

    assert reverse(DEPARTMENT_PAGE) in links


# The chart -------------------------------------------------------------------------------------


def test_bars_are_proportional_to_the_busiest_day():
    days = tuple(
        DayFigures(date(2026, 3, n), Figures(calls=calls, rows=calls * 10))
        for n, calls in ((1, 0), (2, 100), (3, 50), (4, 1000))
    )

    bars = chart_bars(days)

    assert [bar.height for bar in bars] == [0, 6, 3, CHART_HEIGHT]
    assert [bar.y for bar in bars] == [CHART_HEIGHT, CHART_HEIGHT - 6, CHART_HEIGHT - 3, 0]
    assert [bar.x for bar in bars] == [0, 10, 20, 30]
    assert bars[1].rows == 1000


def test_a_day_with_a_single_call_still_shows():
    days = (
        DayFigures(date(2026, 3, 1), Figures(calls=1)),
        DayFigures(date(2026, 3, 2), Figures(calls=10_000)),
    )

    assert chart_bars(days)[0].height == 1


def test_an_empty_chart_has_flat_bars():
    days = tuple(DayFigures(date(2026, 3, n), Figures()) for n in range(1, 4))

    assert [bar.height for bar in chart_bars(days)] == [0, 0, 0]


def test_the_chart_has_axis_labels(client, operator_member, history, authorization):
    client.force_login(operator_member)
    with frozen_now(history):
        text = client.get(reverse(OPERATOR_PAGE)).text
    first = history.date() - timedelta(days=CHART_DAYS - 1)
    assert f"<span>{first:%m-%d}</span>" in text
    assert f"<span>{history.date():%m-%d}</span>" in text
    assert "日最高 2 次调用" in text  # the busiest day of the first authorization
