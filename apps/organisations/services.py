from django.contrib.auth.models import Group
from django.db import transaction

from apps.accounts.models import User
from apps.audit.models import EventKind
from apps.audit.services import audit_record_on_commit

from .models import Operator


@transaction.atomic
def operator_create(
    *,
    name: str,
    credit_code: str,
    contact_email: str = "",
    is_active: bool = True,
    actor: User | None = None,
) -> Operator:
    """Create an operator with the auth group its object permissions are granted to.

    ``actor`` is the staff member creating it; None for the demo and other commands."""
    operator = Operator(
        name=name, credit_code=credit_code, contact_email=contact_email, is_active=is_active
    )
    group = Group.objects.create(name=f"operator:{credit_code}")
    operator.group = group
    operator.full_clean()
    operator.save()
    audit_record_on_commit(
        kind=EventKind.OPERATOR_CREATED,
        actor=actor,
        obj=operator,
        details={"credit_code": credit_code, "group": group.name, "is_active": is_active},
    )
    return operator
