"""Set-up, verification and recovery codes of bureau staff's second factor.

Every page here shows or takes secrets, so none may be cached (``never_cache``).
"""

from base64 import b32encode
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import django_otp
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.accounts.models import User

from . import services
from .forms import CodeForm, FirstCodeForm
from .qr import qr_svg
from .selectors import authenticator_of, recovery_codes_left


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @never_cache
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def _show_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    return render(
        request, "twofactor/recovery_codes.html", {"codes": codes, "next": _next_url(request)}
    )


@staff_only
def setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if authenticator_of(user=user) is not None:
        return redirect("twofactor:manage" if user.is_verified() else "twofactor:verify")  # type: ignore[attr-defined]
    device = services.authenticator_pending(user=user)
    form = FirstCodeForm(request.POST or None)
    if form.is_valid():
        try:
            codes = services.authenticator_confirm(
                user=user, device=device, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            django_otp.login(request, device)
            return _show_codes(request, codes)
    return render(
        request,
        "twofactor/setup.html",
        {
            "form": form,
            "otpauth_uri": device.config_url,
            "qr_svg": qr_svg(device.config_url),
            "secret": b32encode(device.bin_key).decode(),
            "next": _next_url(request),
        },
    )


@staff_only
def verify(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if authenticator_of(user=user) is None:
        return redirect(f"{reverse('twofactor:setup')}?{urlencode({'next': _next_url(request)})}")
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            device = services.second_factor_verify(
                user=user, code=form.cleaned_data["code"], request=request
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            django_otp.login(request, device)
            return redirect(_next_url(request))
    return render(request, "twofactor/verify.html", {"form": form, "next": _next_url(request)})


@staff_only
def manage(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    device = authenticator_of(user=user)
    if device is None:
        return redirect("twofactor:setup")
    if not user.is_verified():  # type: ignore[attr-defined]
        query = urlencode({"next": reverse("twofactor:manage")})
        return redirect(f"{reverse('twofactor:verify')}?{query}")
    return render(
        request,
        "twofactor/manage.html",
        {"device": device, "codes_left": recovery_codes_left(user=user)},
    )


@require_POST
@staff_only
def recovery_codes(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # New codes only for a session that passed the second factor: a stolen password alone
    # must not be enough to mint a way past it.
    if not user.is_verified():  # type: ignore[attr-defined]
        raise PermissionDenied
    return _show_codes(request, services.recovery_codes_replace(user=user, request=request))
