"""Today's date for the registration procedure, in one place so tests can move the clock."""

from datetime import date

from django.utils import timezone


def today() -> date:
    return timezone.localdate()
