"""The demo registers what its authorizations need: seed_demo runs with the gate on (as
`make run` does) and every page of registration shows something real."""

from django.core.management import call_command
from django.urls import reverse

from apps.authorizations.models import Authorization
from apps.registration.choices import ApplicationStatus
from apps.registration.models import Registration, RegistrationApplication


def test_seed_demo_passes_the_gate_and_fills_the_registration_pages(db, settings, client):
    settings.REGISTRATION_REQUIRED_FOR_AUTHORIZATION = True
    call_command("seed_demo", verbosity=0)
    counts = (RegistrationApplication.objects.count(), Registration.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (RegistrationApplication.objects.count(), Registration.objects.count()) == counts

    assert Authorization.objects.exists()
    for authorization in Authorization.objects.all():
        assert authorization.entry.registrations.filter(status="in_force").exists()
    statuses = set(RegistrationApplication.objects.values_list("status", flat=True))
    assert {ApplicationStatus.REGISTERED, ApplicationStatus.IN_NOTICE,
            ApplicationStatus.SUBMITTED, ApplicationStatus.INCOMPLETE} <= statuses  # fmt: skip
    page = client.get(reverse("registration:list")).content.decode()
    assert 'class="card notice"' in page and Registration.objects.first().code in page
    # The operator registered one offered product and has another in its public notice.
    products = RegistrationApplication.objects.filter(product__isnull=False)
    assert set(products.values_list("status", flat=True)) == {
        ApplicationStatus.REGISTERED, ApplicationStatus.IN_NOTICE,
    }  # fmt: skip
    registered = Registration.objects.get(product__isnull=False)
    assert registered.code in page and registered.product.name in page
