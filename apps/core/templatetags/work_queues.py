"""``{% work_queues_of user as queues %}``: the admin index shows the signed-in staff member's
queues (apps/core/queues.py) without a custom admin site."""

from django import template

from apps.accounts.models import User
from apps.core.queues import WorkQueue, work_queues_for

register = template.Library()


@register.simple_tag
def work_queues_of(user: User) -> list[WorkQueue]:
    return work_queues_for(user)
