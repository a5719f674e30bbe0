"""The open data's part of pages owned by lower apps: the department's usage page (apps.api)
shows its open entries' downloads and open API calls through this tag."""

from typing import Any

from django import template

from apps.accounts.models import User

from .. import selectors

register = template.Library()


@register.inclusion_tag("opendata/_department_usage.html")
def open_data_usage_of_department(user: User) -> dict[str, Any]:
    return {
        "rows": selectors.open_data_usage_of_department(user=user),
        "days": selectors.USAGE_DAYS,
    }
