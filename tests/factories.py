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
