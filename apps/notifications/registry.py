"""Reminders other apps produce: the notifications app sits below the apps whose deadlines it
announces, so each of them registers, from its ``AppConfig.ready``, a function that finds what
is due and calls ``notification_send`` with an event key naming the day or the threshold.
``manage.py send_reminders`` runs them all; the keys make a second run tell nobody twice."""

from collections.abc import Callable
from datetime import date

# (today) -> how many notifications were written
Reminder = Callable[[date], int]

_reminders: dict[str, Reminder] = {}


def reminder_register(*, name: str, reminder: Reminder) -> None:
    _reminders[name] = reminder


def registered_reminders() -> dict[str, Reminder]:
    return dict(_reminders)


# Expiries are announced 30 and 7 days ahead (README "Notifications").
EXPIRY_WARNING_DAYS = (30, 7)


def expiry_threshold(days_left: int) -> int | None:
    """The tightest warning an expiry ``days_left`` away is due for, or None (too far, or past).
    A run that missed a day still warns; the threshold in the event key keeps it to once."""
    due = [days for days in EXPIRY_WARNING_DAYS if 0 <= days_left <= days]
    return min(due) if due else None
