"""Load realistic demo data for every part of the portal. Safe to run again."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.api.demo import seed_api_key
from apps.authorizations.demo import seed_authorizations
from apps.catalog.demo import seed_catalog
from apps.cdo.demo import seed_cdos
from apps.datazone.demo import seed_datazone
from apps.datazone.models import DataVersion
from apps.organisations.demo import seed_organisations
from apps.products.demo import seed_products
from apps.registration.demo import seed_product_registrations, seed_registrations
from apps.revenue.demo import seed_revenue
from apps.twofactor.demo import seed_two_factor


class Command(BaseCommand):
    help = "Load demo organisations, users, catalog, authorizations, rows and a key (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PORTAL_DEMO_DATA_ALLOWED:
            raise CommandError(
                "seed_demo refuses to run here (PORTAL_DEMO_DATA_ALLOWED is off, as in the "
                "production profile): demo data carries a public API key, a public TOTP secret "
                "and published passwords."
            )
        organisations = seed_organisations()
        seed_cdos(organisations)
        entries = seed_catalog(organisations)
        registrations = seed_registrations()
        applications = seed_authorizations(organisations)
        seed_datazone()
        versions = DataVersion.objects.live().count()
        reports = seed_revenue()
        products = seed_products()
        seed_product_registrations()
        self.stdout.write(
            self.style.SUCCESS(
                f"demo data: {len(organisations.departments)} departments, "
                f"{len(organisations.operators)} operators, {len(organisations.logins)} users, "
                f"{entries} catalog entries, {registrations} registration applications, "
                f"{applications} applications, "
                f"{versions} entries with live data, {reports} revenue reports, "
                f"{products} data products"
            )
        )
        self.stdout.write("demo logins (username / password):")
        for username, password in organisations.logins:
            self.stdout.write(f"  {username:<14} {password}")
        seed_two_factor()  # the demo bureau users' authenticator: README "Demo logins"
        # Last, and on one line of its own, so scripts and the README can pick the key up.
        self.stdout.write(f"demo API key: {seed_api_key()}")
