"""Work queues: who sees which queue, what it holds, and that each is read in one query
whatever the data size."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from apps.api.models import ApiKey, DailyUsage
from apps.authorizations.models import (
    Application,
    Authorization,
    Qualification,
    QualificationType,
    Scenario,
)
from apps.catalog.choices import Status
from apps.catalog.models import CatalogEntry
from apps.cdo.models import CdoAssignment
from apps.core.queues import QUEUE_PREVIEW, work_queue_kind, work_queue_kinds, work_queues_for
from apps.datazone.models import DataVersion
from apps.products.models import AnnualDisclosure, MaximumAllowedRevenue, Product
from apps.registration.models import RegistrationApplication
from apps.revenue.models import RevenueReport
from tests.factories import OperatorFactory, UserFactory, make_entry

_serial = itertools.count(1)

BUREAU_REVIEWER = {
    "catalog_entries_to_review",
    "qualifications_to_review",
    "applications_to_recommend",
    "bureau_qualifications_expiring",
    "revenue_reports_to_verify",
    "revenue_months_to_settle",
    "products_to_review",
    "products_ceilings_to_check",
    "registration_applications_to_decide",
}
BUREAU_APPROVER = {
    "catalog_entries_to_review",
    "applications_to_decide",
    "bureau_authorizations_expiring",
    "revenue_reports_to_verify",
    "revenue_months_to_settle",
    "products_to_review",
    "products_ceilings_to_approve",
    "products_bureau_disclosures_due",
    "registration_applications_to_decide",
}
DEPARTMENT = {"catalog_returned_entries", "datazone_failed_uploads", "datazone_held_uploads"}
OPERATOR = {
    "operator_returned_applications",
    "operator_qualifications_expiring",
    "operator_authorizations_expiring",
    "revenue_returned_reports",
    "api_keys_expiring",
    "api_quota_nearly_used",
    "products_operator_disclosures_due",
}


def shown(user) -> set[str]:
    return {kind.key for kind in work_queue_kinds() if kind.shown_to(user)}


def read(user, key: str):
    kind = work_queue_kind(key)
    assert kind.shown_to(user), (user, key)
    return kind.read(user)


# Data -----------------------------------------------------------------------------------------


class World:
    """One of everything a queue counts, made directly (the services are tested elsewhere)."""

    def __init__(self, department, operator, reviewer, member, operator_member) -> None:
        self.department, self.operator = department, operator
        self.member, self.operator_member, self.reviewer = member, operator_member, reviewer
        self.entry = make_entry(
            department=department, actor=member, status="published", reviewer=reviewer
        )
        self.scenario = Scenario.objects.create(
            operator=operator, title="学区分析", sector="education", description="分析",
            expected_product="报告", use="industry", created_by=operator_member,
        )  # fmt: skip
        self.qualification_type = QualificationType.objects.filter(required=True).first()

    def entry_in(self, status: str) -> CatalogEntry:
        return make_entry(
            department=self.department, actor=self.member, status=status, reviewer=self.reviewer
        )

    def application(self, status: str, **fields) -> Application:
        today = timezone.localdate()
        return Application.objects.create(
            operator=fields.pop("operator", self.operator), entry=self.entry,
            scenario=self.scenario, requested_fields=["school_name"], purpose="分析",
            requested_from=today, requested_until=today + timedelta(days=30),
            expected_daily_calls=10, status=status, applicant=self.operator_member, **fields,
        )  # fmt: skip

    def qualification(self, status: str, *, days: int = 365, operator=None) -> Qualification:
        today = timezone.localdate()
        return Qualification.objects.create(
            operator=operator or self.operator, qualification_type=self.qualification_type,
            number=f"NO-{next(_serial)}", document="q.pdf", status=status,
            valid_from=today - timedelta(days=10), valid_until=today + timedelta(days=days),
            submitted_by=self.operator_member,
        )  # fmt: skip

    def authorization(self, *, days: int = 365, operator=None, quota: int = 100) -> Authorization:
        operator = operator or self.operator
        now = timezone.now()
        return Authorization.objects.create(
            application=self.application("approved", operator=operator), operator=operator,
            entry=self.entry, scenario=self.scenario, allowed_fields=["school_name"],
            valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=days),
            daily_row_quota=quota, fee_basis="per_row", price=Decimal("0.01"),
            revenue_share_ratio=Decimal("0.3"),
        )  # fmt: skip

    def report(self, status: str, *, months_ago: int = 1) -> RevenueReport:
        period = (timezone.localdate().replace(day=1) - timedelta(days=31 * months_ago)).replace(
            day=1
        )
        return RevenueReport.objects.create(
            authorization=self.authorization(), operator=self.operator, period=period,
            amount=Decimal("100.00"), reference="HT-1", status=status,
            submitted_by=self.operator_member, submitted_at=timezone.now(),
        )  # fmt: skip

    def product(self) -> Product:
        return Product.objects.create(
            operator=self.operator, name=f"产品{next(_serial)}", description="查询",
            kind="data_service", scenario=self.scenario, use="industry", fee_form="per_call",
            submitted_by=self.operator_member, submitted_at=timezone.now(),
        )  # fmt: skip

    def ceiling(self, status: str) -> MaximumAllowedRevenue:
        zero = Decimal("0.00")
        return MaximumAllowedRevenue.objects.create(
            operator=self.operator, year=2000 + next(_serial), cost_platform=Decimal("100.00"),
            cost_transmission=zero, cost_processing=zero, cost_labour=zero, cost_other=zero,
            subsidies=zero, treasury_yield=Decimal("1.80"), yield_date=timezone.localdate(),
            profit_rate=zero, tax=zero, pricing_cost=Decimal("100.00"), allowed_profit=zero,
            maximum=Decimal("100.00"), status=status, proposed_by=self.operator_member,
            proposed_at=timezone.now(),
        )  # fmt: skip

    def disclosure_due(self, operator=None) -> AnnualDisclosure:
        return AnnualDisclosure.objects.create(
            year=1900 + next(_serial),
            operator=operator,
            due_on=timezone.localdate() + timedelta(days=10),
        )

    def registration_application(self, *, due_in: int = 3) -> RegistrationApplication:
        today = timezone.localdate()
        return RegistrationApplication.objects.create(
            entry=self.entry_in("published"), department=self.department, kind="first",
            summary="全市中小学校名称。", applicant=self.member, submitted_on=today,
            due_on=today + timedelta(days=due_in),
        )  # fmt: skip

    def failed_upload(self, status: str = "failed") -> DataVersion:
        entry = self.entry_in("published")
        return DataVersion.objects.create(
            entry=entry, number=1, status=status, file="x.csv", original_filename="学校.csv",
            file_format="csv", size_bytes=10, uploaded_by=self.member,
        )  # fmt: skip

    def key(self, *, days: int) -> ApiKey:
        serial = next(_serial)
        return ApiKey.objects.create(
            operator=self.operator, name=f"系统{serial}", prefix=f"pk{serial:06d}",
            secret_hash="0" * 64, created_by=self.operator_member,
            expires_at=timezone.now() + timedelta(days=days),
        )  # fmt: skip

    def heavy_use(self, *, rows: int = 90, quota: int = 100) -> DailyUsage:
        return DailyUsage.objects.create(
            authorization=self.authorization(quota=quota), day=timezone.localdate(), rows=rows
        )


@pytest.fixture
def world(department, operator, reviewer, department_member, operator_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return World(department, operator, reviewer, department_member, operator_member)


@pytest.fixture
def cdo(department, reviewer):
    user = UserFactory(username="cdo", department=department, organisation_role="member")
    CdoAssignment.objects.create(
        department=department, user=user, title="副局长", document_number="教〔2026〕1号",
        term_start=timezone.now() - timedelta(days=1), appointed_by=reviewer,
    )  # fmt: skip
    return user


# One maker per queue: adds one item that the queue's owner must see.
def add_item(world: World, key: str, cdo=None) -> None:
    {
        "catalog_entries_to_review": lambda: world.entry_in("submitted"),
        "catalog_returned_entries": lambda: world.entry_in("returned"),
        "catalog_awaiting_confirmation": lambda: CatalogEntry.objects.filter(
            pk=world.entry_in("draft").pk
        ).update(status=Status.AWAITING_CONFIRMATION),
        "qualifications_to_review": lambda: world.qualification("pending"),
        "applications_to_recommend": lambda: world.application("department_agreed"),
        "applications_to_decide": lambda: world.application("recommended"),
        "bureau_qualifications_expiring": lambda: world.qualification("approved", days=20),
        "bureau_authorizations_expiring": lambda: world.authorization(days=20),
        "revenue_reports_to_verify": lambda: world.report("submitted"),
        "revenue_months_to_settle": lambda: world.report("verified", months_ago=next(_serial)),
        "applications_awaiting_opinion": lambda: world.application("submitted"),
        "datazone_failed_uploads": world.failed_upload,
        "datazone_held_uploads": lambda: world.failed_upload("held"),
        "operator_qualifications_expiring": lambda: world.qualification("approved", days=20),
        "operator_authorizations_expiring": lambda: world.authorization(days=20),
        "revenue_returned_reports": lambda: world.report("returned"),
        "api_keys_expiring": lambda: world.key(days=10),
        "api_quota_nearly_used": world.heavy_use,
        "products_to_review": world.product,
        "products_ceilings_to_check": lambda: world.ceiling("proposed"),
        "products_ceilings_to_approve": lambda: world.ceiling("checked"),
        "products_bureau_disclosures_due": world.disclosure_due,
        "products_operator_disclosures_due": lambda: world.disclosure_due(world.operator),
        "operator_returned_applications": lambda: world.application(
            "department_disagreed", department_opinion_at=timezone.now()
        ),
        "registration_applications_to_decide": world.registration_application,
    }[key]()


OWNER = {
    **{key: "reviewer" for key in BUREAU_REVIEWER},
    **{key: "approver" for key in BUREAU_APPROVER - BUREAU_REVIEWER},
    **{key: "department_member" for key in DEPARTMENT},
    "applications_awaiting_opinion": "department_admin",
    "catalog_awaiting_confirmation": "cdo",
    **{key: "operator_member" for key in OPERATOR},
}


# Who sees which queue ---------------------------------------------------------------------------


def test_every_registered_queue_has_an_owner_here():
    assert {kind.key for kind in work_queue_kinds()} == set(OWNER)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("reviewer", BUREAU_REVIEWER),
        ("approver", BUREAU_APPROVER),
        ("auditor", set()),
        ("department_member", DEPARTMENT),
        ("department_admin", DEPARTMENT | {"applications_awaiting_opinion"}),
        ("operator_member", OPERATOR),
        ("operator_admin", OPERATOR),
        ("outsider", set()),
    ],
)
def test_each_persona_sees_the_queues_of_its_role(request, persona, expected):
    assert shown(request.getfixturevalue(persona)) == expected


def test_with_a_cdo_only_the_cdo_in_office_gives_the_opinion_and_confirms(
    department_admin, department_member, cdo
):
    assert shown(cdo) == DEPARTMENT | {
        "applications_awaiting_opinion",
        "catalog_awaiting_confirmation",
    }
    assert shown(department_admin) == DEPARTMENT
    assert shown(department_member) == DEPARTMENT


def test_a_cdo_whose_term_ended_loses_the_queues(department, cdo):
    CdoAssignment.objects.filter(user=cdo).update(term_end=timezone.now() - timedelta(minutes=1))
    cdo = type(cdo).objects.get(pk=cdo.pk)
    assert shown(cdo) == DEPARTMENT


def test_anonymous_visitors_have_no_queues(client, db):
    response = client.get(reverse("home"))
    assert response.context["queues"] == []
    assert 'id="work-queues"' not in response.text


# What each queue holds ------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(OWNER))
def test_each_queue_holds_its_item_with_a_link_and_a_list(request, world, key):
    owner = request.getfixturevalue(OWNER[key])
    assert read(owner, key).count == 0
    add_item(world, key)
    queue = read(owner, key)
    assert queue.count == 1
    assert len(queue.items) == 1
    assert queue.items[0].url.startswith("/")
    assert queue.list_url.startswith("/")
    assert "1" in queue.title


@pytest.mark.parametrize("key", sorted(OWNER))
def test_each_queue_reads_in_one_query_whatever_the_size(
    request, world, key, django_assert_num_queries
):
    owner = request.getfixturevalue(OWNER[key])
    work_queue_kind(key).shown_to(owner)  # permissions and CDO standing are read once per user
    counts = []
    for size in (1, QUEUE_PREVIEW + 3):
        while len(counts) < size:
            add_item(world, key)
            counts.append(1)
        with django_assert_num_queries(1):
            queue = read(owner, key)
        assert queue.count == size
        assert len(queue.items) == min(size, QUEUE_PREVIEW)


def test_queues_show_only_the_users_own_organisation(world, other_department_member, db):
    add_item(world, "catalog_returned_entries")
    add_item(world, "datazone_failed_uploads")
    add_item(world, "datazone_held_uploads")
    assert read(other_department_member, "datazone_held_uploads").count == 0
    assert read(other_department_member, "catalog_returned_entries").count == 0
    assert read(other_department_member, "datazone_failed_uploads").count == 0
    other_operator_member = UserFactory(operator=OperatorFactory(), organisation_role="member")
    add_item(world, "api_keys_expiring")
    add_item(world, "revenue_returned_reports")
    add_item(world, "operator_returned_applications")
    for key in OPERATOR:
        assert read(other_operator_member, key).count == 0, key


def test_the_oldest_waits_first(world, reviewer):
    first = world.qualification("pending")
    second = world.qualification("pending")
    Qualification.objects.filter(pk=first.pk).update(
        submitted_at=timezone.now() - timedelta(days=3)
    )
    items = read(reviewer, "qualifications_to_review").items
    assert [item.url for item in items] == [
        reverse("admin:authorizations_qualification_change", args=[pk])
        for pk in (first.pk, second.pk)
    ]


def test_the_approver_is_not_asked_to_decide_what_they_recommended(world, approver):
    world.application("recommended", recommended_by=approver)
    world.application("recommended")
    assert read(approver, "applications_to_decide").count == 1


def test_a_quota_used_up_to_80_percent_is_not_yet_listed(world, operator_member):
    world.heavy_use(rows=80, quota=100)
    assert read(operator_member, "api_quota_nearly_used").count == 0
    world.heavy_use(rows=81, quota=100)
    assert read(operator_member, "api_quota_nearly_used").count == 1


def test_a_failed_upload_leaves_the_queue_once_a_newer_version_exists(world, department_member):
    failed = world.failed_upload()
    assert read(department_member, "datazone_failed_uploads").count == 1
    DataVersion.objects.create(
        entry=failed.entry, number=2, status="queued", file="y.csv", original_filename="y.csv",
        file_format="csv", size_bytes=10, uploaded_by=department_member,
    )  # fmt: skip
    assert read(department_member, "datazone_failed_uploads").count == 0


# Pages ----------------------------------------------------------------------------------------


def test_the_home_page_shows_the_queue_in_both_languages(client, world, department_admin):
    add_item(world, "applications_awaiting_opinion")
    client.force_login(department_admin)
    assert "1 份申请待您出具意见" in client.get(reverse("home")).text
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        assert "1 application awaiting your opinion" in client.get(reverse("home")).text


def test_the_admin_index_shows_the_staff_queues(client, world, reviewer):
    add_item(world, "catalog_entries_to_review")
    client.force_login(reviewer)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert 'data-queue="catalog_entries_to_review"' in response.text


def test_the_home_page_reads_the_queues_in_a_bounded_number_of_queries(
    client, world, reviewer, django_assert_max_num_queries
):
    for key in BUREAU_REVIEWER:
        add_item(world, key)
    client.force_login(reviewer)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for key in BUREAU_REVIEWER:
        add_item(world, key)
        add_item(world, key)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))


def test_work_queues_for_skips_empty_queues_on_request(world, reviewer):
    add_item(world, "qualifications_to_review")
    waiting = work_queues_for(reviewer, only_waiting=True)
    assert [queue.key for queue in waiting] == ["qualifications_to_review"]


def test_a_returned_application_leaves_the_queue_once_withdrawn(world, operator_member):
    application = world.application("department_disagreed", department_opinion_at=timezone.now())
    world.application("department_agreed")  # on its way, nothing for the operator to do
    assert read(operator_member, "operator_returned_applications").count == 1
    Application.objects.filter(pk=application.pk).update(status="withdrawn")
    assert read(operator_member, "operator_returned_applications").count == 0


def test_the_registration_queue_puts_the_soonest_deadline_first_and_counts_the_overdue(
    world, reviewer
):
    later = world.registration_application(due_in=5)
    overdue = world.registration_application(due_in=-1)
    RegistrationApplication.objects.create(
        entry=world.entry_in("published"), department=world.department, kind="first",
        summary="缺材料", applicant=world.member, submitted_on=timezone.localdate(),
        status="incomplete",
    )  # fmt: skip  # the applicant's turn: not the bureau's work
    queue = read(reviewer, "registration_applications_to_decide")
    assert queue.count == 2
    assert queue.overdue == 1
    assert [item.url for item in queue.items] == [
        reverse("admin:registration_registrationapplication_change", args=[pk])
        for pk in (overdue.pk, later.pk)
    ]
    assert queue.items[0].overdue


def test_the_auditor_does_not_decide_registrations(auditor, department_member, operator_member):
    for user in (auditor, department_member, operator_member):
        assert "registration_applications_to_decide" not in shown(user)
