from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.models import User

from .figures import key_figures
from .navigation import next_actions_for
from .queues import work_queues_for
from .sections import page_sections
from .selectors import users_of_organisation


def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "core/home.html",
        {
            "actions": next_actions_for(user),
            "queues": work_queues_for(user),
            "figures": key_figures(),
            "sections": page_sections("home", request),
        },
    )


@login_required
def organisation(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.department_id is None and user.operator_id is None:
        raise PermissionDenied
    members = users_of_organisation(user=user)
    return render(
        request,
        "core/organisation.html",
        {"organisation": user.organisation, "members": members},
    )
