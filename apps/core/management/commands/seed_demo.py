"""Load realistic demo data for every part of the portal. Safe to run again."""

from typing import Any

from django.core.management.base import BaseCommand

from apps.authorizations.demo import seed_authorizations
from apps.catalog.demo import seed_catalog
from apps.organisations.demo import seed_organisations


class Command(BaseCommand):
    help = "Load demo organisations, users, catalog entries and authorizations (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = seed_organisations()
        entries = seed_catalog(organisations)
        applications = seed_authorizations(organisations)
        self.stdout.write(
            self.style.SUCCESS(
                f"demo data: {len(organisations.departments)} departments, "
                f"{len(organisations.operators)} operators, {len(organisations.logins)} users, "
                f"{entries} catalog entries, {applications} applications"
            )
        )
        self.stdout.write("demo logins (username / password):")
        for username, password in organisations.logins:
            self.stdout.write(f"  {username:<14} {password}")
