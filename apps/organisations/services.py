from django.contrib.auth.models import Group
from django.db import transaction

from .models import Operator


@transaction.atomic
def operator_create(
    *, name: str, credit_code: str, contact_email: str = "", is_active: bool = True
) -> Operator:
    """Create an operator with the auth group its object permissions are granted to."""
    operator = Operator(
        name=name, credit_code=credit_code, contact_email=contact_email, is_active=is_active
    )
    group = Group.objects.create(name=f"operator:{credit_code}")
    operator.group = group
    operator.full_clean()
    operator.save()
    return operator
