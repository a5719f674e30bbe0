"""Who holds an application or a registration, for those who tell them (notify.py): the
registrant's active members and the registrant's own page of the application. A department
registers its catalog entries, an operator its data products (数据产品登记)."""

from django.db.models import QuerySet
from django.urls import reverse

from apps.accounts.models import User
from apps.notifications import audiences

from .models import RegistrationApplication, SubjectMixin


def registrant_members(*, subject: SubjectMixin) -> QuerySet[User]:
    """The registrant's active members: the operator's for a product, the department's for an
    entry."""
    if subject.operator_id is not None:
        return audiences.operator_members(operator=subject.operator_id)
    return audiences.department_members(department=subject.department)  # type: ignore[attr-defined]


def registrant_page(*, application: RegistrationApplication) -> str:
    """The application's page on the registrant's side."""
    namespace = (
        "operator_registration" if application.product_id is not None else "department_registration"
    )
    return reverse(f"{namespace}:detail", args=[application.pk])
