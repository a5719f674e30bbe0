from django.core.management import call_command
from guardian.shortcuts import get_perms

from apps.authorizations.choices import ApplicationStatus
from apps.authorizations.models import Application, Authorization, Qualification
from apps.authorizations.selectors import operator_is_qualified, qualifications_expiring
from apps.organisations.models import Operator


def test_seed_demo_covers_every_application_state_once(db):
    call_command("seed_demo", verbosity=0)
    counts = (
        Application.objects.count(),
        Authorization.objects.count(),
        Qualification.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert (
        Application.objects.count(),
        Authorization.objects.count(),
        Qualification.objects.count(),
    ) == counts

    assert set(Application.objects.values_list("status", flat=True)) == set(
        ApplicationStatus.values
    )
    in_force = Authorization.objects.in_force()
    assert in_force.count() >= 3
    for authorization in in_force:
        assert "query_catalogentry" in get_perms(authorization.operator.group, authorization.entry)
    qualified = [o for o in Operator.objects.all() if operator_is_qualified(operator=o)]
    assert 1 <= len(qualified) < Operator.objects.count()
    assert qualifications_expiring(days=30).exists()
