"""Factories for the portal's models; tests build personas from these."""

import itertools

import factory
from django.contrib.auth.models import Group

from apps.accounts.models import User
from apps.organisations.credit_code import check_character
from apps.organisations.models import Bureau, Department, DepartmentKind, Operator

_credit_serial = itertools.count(1)


def make_credit_code() -> str:
    first17 = f"9152010{next(_credit_serial):010d}"
    return first17 + check_character(first17)


class BureauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bureau
        django_get_or_create = ("code",)

    name = "市大数据管理局"
    code = "city-data-bureau"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试部门{n}")
    code = factory.Sequence(lambda n: f"DEP{n}")
    kind = DepartmentKind.GOVERNMENT


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Operator

    name = factory.Sequence(lambda n: f"测试运营公司{n}")
    credit_code = factory.LazyFunction(make_credit_code)
    group = factory.LazyAttribute(lambda o: Group.objects.create(name=f"operator:{o.credit_code}"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "测试"
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def groups(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()


DEFAULT_FIELDS = [
    {"name": "school_name", "label": "学校名称", "data_type": "string", "filterable": True},
    {"name": "district", "label": "所属区县", "data_type": "string", "filterable": True},
    {"name": "students", "label": "在校学生数", "data_type": "integer", "nullable": False},
]


def entry_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "全市中小学校基本信息",
        "description": "全市中小学校名称、地址、学段和在校学生数。",
        "sector": "education",
        "keywords": ["学校", "教育"],
        "update_frequency": "annual",
        "spatial_coverage": "全市",
        "format": "CSV",
        "contact_name": "张老师",
        "contact_email": "data@edu.example.cn",
        "grade": "general",
        "openness": "conditional",
    }
    data.update(overrides)
    return data


def make_entry(
    *, department, actor=None, status: str = "draft", fields=None, reviewer=None, **overrides
):
    """An entry created and moved through the real services to ``status``.

    ``actor`` is a member of ``department`` (made when omitted); ``reviewer`` a bureau user with
    review permission (needed for published/returned/rejected/retired).
    """
    from apps.catalog import services

    actor = actor or UserFactory(department=department, organisation_role="member")
    entry = services.catalog_entry_create(
        department=department,
        actor=actor,
        data=entry_data(**overrides),
        fields=DEFAULT_FIELDS if fields is None else fields,
    )
    path = {
        "draft": [],
        "submitted": ["submitted"],
        "returned": ["submitted", "returned"],
        "published": ["submitted", "published"],
        "rejected": ["submitted", "rejected"],
        "retired": ["submitted", "published", "retired"],
    }[status]
    for step in path:
        who = actor if step == "submitted" else reviewer
        entry = services.catalog_entry_transition(
            entry=entry,
            actor=who,
            to_status=step,
            comment="" if step in ("submitted", "published") else "理由",
        )
    return entry


def bulk_published_entries(*, department, count: int, prefix: str = "BULK") -> None:
    """``count`` published entries in one insert, for paging tests (no services, no history)."""
    from django.utils import timezone

    from apps.catalog import search
    from apps.catalog.models import CatalogEntry

    creator = UserFactory(department=department, organisation_role="member")
    now = timezone.now()
    entries = []
    for number in range(count):
        entry = CatalogEntry(
            identifier=f"{prefix}-{number:05d}", department=department, created_by=creator,
            status="published", published_at=now, **entry_data(title=f"批量条目 {number}"),
        )  # fmt: skip
        entry.search_document = search.document(entry.identifier, entry.title)
        entries.append(entry)
    CatalogEntry.objects.bulk_create(entries)
