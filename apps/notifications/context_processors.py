from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.accounts.models import User

from .selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    """The header bell's count: one indexed COUNT, run only by pages that show the bell (the
    admin does not), whatever the number of notifications."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {"notifications_unread": None}
    return {"notifications_unread": SimpleLazyObject(lambda: unread_count(user=user))}
