"""Security messages for events of apps below this one, heard through their signals: a second
factor changed (apps.twofactor.signals) and a login lockout (django-axes). Each receiver only
calls ``notification_send``; it runs in the transaction of the change when there is one."""

from typing import Any

from django.conf import settings
from django.urls import reverse

from apps.accounts.models import User

from .kinds import Kind
from .services import notification_send


def on_second_factor_changed(sender: Any, user: User, change: str, **kwargs: Any) -> None:
    notification_send(
        kind=Kind.TWO_FACTOR_CHANGED,
        recipients=[user],
        obj=user,
        url=reverse("twofactor:manage"),
        params={"change": change},
    )


def on_locked_out(sender: Any, request: Any = None, username: str = "", **kwargs: Any) -> None:
    user = User.objects.filter(username=username).first()
    if user is None:
        return  # a name that is nobody's: nobody to tell
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    notification_send(
        kind=Kind.ACCOUNT_LOCKED, recipients=[user], obj=user, params={"minutes": minutes}
    )


def receivers_connect() -> None:
    from axes.signals import user_locked_out

    from apps.twofactor.signals import second_factor_changed

    second_factor_changed.connect(on_second_factor_changed, dispatch_uid="notify_second_factor")
    user_locked_out.connect(on_locked_out, dispatch_uid="notify_lockout")
