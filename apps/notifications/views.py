"""A person's notifications: the list, opening one (it is then read), and the preferences."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.access import signed_in_user

from . import selectors, services
from .forms import PreferencesForm, audiences_of
from .kinds import SECURITY_KINDS, Kind
from .messages import body_of, title_of

PER_PAGE = 30


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(
        selectors.notifications_of(user=user, unread_only=unread_only), PER_PAGE
    ).get_page(request.GET.get("page"))
    items = [
        {"notification": n, "title": title_of(n), "body": body_of(n)} for n in page.object_list
    ]
    context = {
        "page": page,
        "items": items,
        "unread_only": unread_only,
        "retention_days": settings.NOTIFICATION_RETENTION_DAYS,
    }
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and go to the object it is about."""
    user = signed_in_user(request)
    notification = selectors.notification_of(user=user, pk=pk)
    if notification is None:
        raise Http404
    services.notifications_mark_read(user=user, notification_ids=[notification.pk])
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notifications:list")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    count = services.notifications_mark_read(user=user)
    messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        audiences=audiences_of(user.role),
        initial_choices=selectors.preferences_of(user=user),
        language=selectors.language_of(user=user) or request.LANGUAGE_CODE,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_preferences_set(
                user=user, choices=form.choices(), language=form.cleaned_data["language"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notifications:preferences")
    # Only operators' administrators ever hear of a new API key.
    security = [
        Kind(kind).label
        for kind in Kind.values
        if kind in SECURITY_KINDS and (kind != Kind.API_KEY_CREATED or user.role == "operator")
    ]
    context = {"form": form, "security": security}
    return render(request, "notifications/preferences.html", context)
