"""An operator's product pages: its products and services (list, new, one with its reviews and
price history, its price, withdrawal, resubmission), its maximum allowed revenue (proposals and
the year against the ceiling) and its annual disclosures. Another operator's answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.authorizations.forms import show_service_error
from apps.core.access import operator_member
from apps.core.errors import DomainError
from apps.revenue import selectors as revenue_selectors

from . import selectors, services
from .choices import CeilingStatus, DisclosureStatus, ProductStatus
from .forms import (
    CeilingCorrectionForm,
    CeilingForm,
    PriceForm,
    ProductForm,
    ProductRevenueForm,
    ResubmitForm,
    StatementForm,
)
from .models import Product


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    user = operator_member(request)
    context = {"products": selectors.products_of_operator(user=user)}
    return render(request, "products/operator/product_list.html", context)


@login_required
def product_create(request: HttpRequest) -> HttpResponse:
    user = operator_member(request)
    form = ProductForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        if user.operator is None:
            raise PermissionDenied
        try:
            product = services.product_submit(
                operator=user.operator, actor=user, **form.submission()
            )
        except (ValidationError, DomainError) as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The product was submitted for the bureau's reviews."))
            return redirect("operator_products:detail", pk=product.pk)
    return render(request, "products/operator/product_form.html", {"form": form})


def _detail(
    request: HttpRequest, product: Product, *, price_form: PriceForm | None = None,
    resubmit_form: ResubmitForm | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    today = timezone.localdate()
    context = {
        "product": product,
        "reviews": selectors.reviews_of(product=product),
        "history": selectors.price_history(product=product),
        "cap": selectors.cap_in_force(product=product, on=today),
        "price": selectors.price_in_force(product=product, on=today),
        "price_form": price_form or (PriceForm() if product.status == ProductStatus.OFFERED
                                     else None),
        "resubmit_form": resubmit_form or (
            ResubmitForm(initial={"description": product.description})
            if product.status == ProductStatus.REFUSED else None
        ),
        "authorizations": product.authorizations.select_related("entry").order_by("pk"),
    }  # fmt: skip
    return render(request, "products/operator/product_detail.html", context, status=status)


@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = operator_member(request)
    return _detail(request, selectors.product_of_operator(user=user, pk=pk))


@login_required
@require_POST
def product_price(request: HttpRequest, pk: int) -> HttpResponse:
    user = operator_member(request)
    product = selectors.product_of_operator(user=user, pk=pk)
    form = PriceForm(request.POST)
    if form.is_valid():
        try:
            services.actual_price_set(product=product, actor=user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The price was set."))
            return redirect("operator_products:detail", pk=product.pk)
    return _detail(request, product, price_form=form, status=400)


@login_required
@require_POST
def product_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = operator_member(request)
    product = selectors.product_of_operator(user=user, pk=pk)
    try:
        services.product_withdraw(
            product=product, actor=user, reason=request.POST.get("reason", "")
        )
    except (ValidationError, DomainError) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("The product was withdrawn."))
    return redirect("operator_products:detail", pk=product.pk)


@login_required
@require_POST
def product_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    user = operator_member(request)
    product = selectors.product_of_operator(user=user, pk=pk)
    form = ResubmitForm(request.POST)
    if form.is_valid():
        try:
            services.product_resubmit(product=product, actor=user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The product was submitted again for both reviews."))
            return redirect("operator_products:detail", pk=product.pk)
    return _detail(request, product, resubmit_form=form, status=400)


def _refusal(error: ValidationError | DomainError) -> str:
    return str(error.message) if isinstance(error, DomainError) else " ".join(error.messages)


# The maximum allowed revenue ---------------------------------------------------------------


@login_required
def ceiling_list(request: HttpRequest) -> HttpResponse:
    user = operator_member(request)
    this_year = timezone.localdate().year
    context = {"ceilings": selectors.ceilings_of_operator(user=user),
               "years": [this_year, this_year - 1]}  # fmt: skip
    return render(request, "products/operator/ceiling_list.html", context)


@login_required
def ceiling_create(request: HttpRequest) -> HttpResponse:
    user = operator_member(request)
    initial = {"year": timezone.localdate().year, "yield_date": timezone.localdate()}
    form = CeilingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if user.operator is None:
            raise PermissionDenied
        try:
            services.ceiling_propose(
                operator=user.operator, actor=user, year=form.cleaned_data["year"],
                figures=form.figures(),
            )  # fmt: skip
        except (ValidationError, DomainError) as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The figures were proposed to the bureau."))
            return redirect("operator_products:ceiling-year", year=form.cleaned_data["year"])
    return render(request, "products/operator/ceiling_form.html", {"form": form})


@login_required
def ceiling_year(request: HttpRequest, year: int) -> HttpResponse:
    user = operator_member(request)
    operator_id = user.operator_id or 0
    summary = selectors.ceiling_year(operator_id=operator_id, year=year)
    form = None
    if summary.ceiling is not None and summary.ceiling.status == CeilingStatus.RETURNED:
        posted = request.POST if request.method == "POST" else None
        form = CeilingCorrectionForm(posted, instance=summary.ceiling)
        if posted is not None and form.is_valid():
            try:
                services.ceiling_correct(
                    ceiling=summary.ceiling, actor=user, figures=form.figures()
                )
            except (ValidationError, DomainError) as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("The figures were proposed to the bureau."))
                return redirect("operator_products:ceiling-year", year=year)
    context = {
        "form": form,
        "summary": summary,
        "reports": selectors.reports_of_year(operator_id=operator_id, year=year),
        "by_product": selectors.revenue_by_product(operator_id=operator_id, year=year),
    }
    return render(request, "products/operator/ceiling_year.html", context)


@login_required
def report_breakdown(request: HttpRequest, pk: int) -> HttpResponse:
    """A revenue report broken down by the products that earned it."""
    user = operator_member(request)
    report = revenue_selectors.report_of_operator(user=user, pk=pk)
    products = selectors.products_for_report(report=report)
    posted = request.POST if request.method == "POST" else None
    form = ProductRevenueForm(posted, products=products)
    if posted is not None and form.is_valid():
        try:
            services.product_revenue_record(report=report, actor=user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The product's part of the report was recorded."))
            return redirect("operator_products:report-breakdown", pk=report.pk)
    lines = report.product_lines.select_related("product").order_by("product__name")
    context = {"report": report, "lines": lines, "form": form}
    return render(request, "products/operator/report_breakdown.html", context)


# The annual disclosure ---------------------------------------------------------------------


@login_required
def disclosure_list(request: HttpRequest) -> HttpResponse:
    user = operator_member(request)
    context = {"disclosures": selectors.disclosures_of_operator(user=user),
               "last_year": timezone.localdate().year - 1}  # fmt: skip
    return render(request, "products/operator/disclosure_list.html", context)


@login_required
def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = operator_member(request)
    disclosure = selectors.disclosure_of_operator(user=user, pk=pk)
    form = None
    if disclosure.status == DisclosureStatus.DRAFT:
        posted = request.POST if request.method == "POST" else None
        form = StatementForm(posted, initial={"statement": disclosure.statement})
        if request.method == "POST" and form.is_valid():
            try:
                services.disclosure_publish(
                    disclosure=disclosure, actor=user, statement=form.cleaned_data["statement"]
                )
            except (ValidationError, DomainError) as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("The disclosure was published."))
                return redirect("operator_products:disclosure", pk=disclosure.pk)
    content = None
    if disclosure.status == DisclosureStatus.DRAFT:
        content = selectors.disclosure_content(year=disclosure.year, operator=disclosure.operator)
    context = {"disclosure": disclosure, "form": form, "preview": content,
               "due_passed": disclosure.due_on < timezone.localdate()}  # fmt: skip
    return render(request, "products/operator/disclosure_detail.html", context)


@login_required
@require_POST
def disclosure_prepare(request: HttpRequest) -> HttpResponse:
    user = operator_member(request)
    if user.operator is None:
        raise PermissionDenied
    try:
        disclosure = services.disclosure_prepare(
            year=int(request.POST.get("year") or timezone.localdate().year - 1),
            operator=user.operator, actor=user,
        )  # fmt: skip
    except (ValidationError, DomainError, ValueError) as error:
        messages.error(request, _refusal(error) if not isinstance(error, ValueError)
                       else _("Choose a year."))  # fmt: skip
        return redirect("operator_products:disclosures")
    return redirect("operator_products:disclosure", pk=disclosure.pk)
