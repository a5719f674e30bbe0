from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.accounts.models import User

from . import selectors


@login_required
def department_cdo(request: HttpRequest) -> HttpResponse:
    """The department's current chief data officer and the past terms."""
    user: User = request.user  # type: ignore[assignment]
    if user.department is None:
        raise PermissionDenied
    assignments = list(selectors.cdo_assignments_of_department(department=user.department))
    current = next((a for a in assignments if a.is_active_at()), None)
    context = {"department": user.department, "current": current, "assignments": assignments}
    return render(request, "cdo/department.html", context)
