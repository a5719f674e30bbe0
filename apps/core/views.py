from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.models import User

from .navigation import next_actions_for


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"actions": next_actions_for(request.user)})  # type: ignore[arg-type]


@login_required
def organisation(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.department_id is None and user.operator_id is None:
        raise PermissionDenied
    # None is a valid exact lookup (IS NULL); the stubs admit only str | int.
    members = User.objects.filter(
        department_id=user.department_id,  # type: ignore[misc]
        operator_id=user.operator_id,
        is_active=True,
    ).order_by("username")
    return render(
        request,
        "core/organisation.html",
        {"organisation": user.organisation, "members": members},
    )
