"""Who made a change and why, for the history row simple-history writes on the next save.

simple-history reads two private attributes from the instance being saved: ``_history_user``
(the author; when set, even to ``None``, the request's user is not consulted) and
``_change_reason`` (stored in ``history_change_reason``). Services set them here, in one place,
instead of writing to private attributes the model types do not declare.
"""

from django.db import models
from django.utils.functional import Promise

from apps.accounts.models import User


def history_attribute(
    instance: models.Model, *, user: User | None, reason: str | Promise | None = None
) -> None:
    """Attribute the next history row of ``instance`` to ``user``, with ``reason`` if given.

    ``user=None`` records no author (a command or the system). Without a reason, a reason set
    earlier on the same instance stays as it was.
    """
    # Plain instance attributes, written through __dict__: the model classes do not declare them.
    instance.__dict__["_history_user"] = user
    if reason is not None:
        instance.__dict__["_change_reason"] = reason
