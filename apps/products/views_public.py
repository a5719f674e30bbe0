"""Public pages: the price list (65号: prices are publicly displayed) with filters and a CSV, each
product's page with its price history, and the annual disclosures of a year with their
downloads. Nobody logs in here."""

from django import forms
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.organisations.models import Operator

from . import exports, selectors
from .choices import FeeForm, ProductKind
from .models import AnnualDisclosure, Product


class PriceFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    operator = forms.ModelChoiceField(
        label=_("Operator"), required=False, queryset=Operator.objects.order_by("name"),
        empty_label=_("all operators"),
    )  # fmt: skip
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("all kinds")), *ProductKind.choices])  # fmt: skip
    fee_form = forms.ChoiceField(label=_("Fee form"), required=False,
                                 choices=[("", _("all fee forms")), *FeeForm.choices])  # fmt: skip

    def filter(self, products: QuerySet[Product]) -> QuerySet[Product]:
        if not self.is_valid():
            return products
        data = self.cleaned_data
        if data["q"]:
            products = products.filter(name__icontains=data["q"])
        if data["operator"]:
            products = products.filter(operator=data["operator"])
        if data["kind"]:
            products = products.filter(kind=data["kind"])
        if data["fee_form"]:
            products = products.filter(fee_form=data["fee_form"])
        return products


def _listed(request: HttpRequest) -> tuple[PriceFilterForm, QuerySet[Product]]:
    filters = PriceFilterForm(request.GET or None)
    return filters, filters.filter(selectors.price_list())


def price_list(request: HttpRequest) -> HttpResponse:
    filters, products = _listed(request)
    context = {"filters": filters, "products": products, "csv_query": request.GET.urlencode(),
               "today": timezone.localdate()}  # fmt: skip
    return render(request, "products/public/price_list.html", context)


def price_list_csv(request: HttpRequest) -> HttpResponse:
    _filters, products = _listed(request)
    return exports.price_list_csv(products)


def product_page(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_public(pk=pk)
    today = timezone.localdate()
    context = {
        "product": product,
        "history": selectors.price_history(product=product),
        "cap": selectors.cap_in_force(product=product, on=today),
        "price": selectors.price_in_force(product=product, on=today),
    }
    return render(request, "products/public/product.html", context)


def disclosure_year(request: HttpRequest, year: int) -> HttpResponse:
    disclosures = list(selectors.disclosures_published(year=year))
    context = {"year": year, "disclosures": disclosures, "years": selectors.disclosure_years(),
               "kinds": dict(ProductKind.choices), "fee_forms": dict(FeeForm.choices)}  # fmt: skip
    return render(request, "products/public/disclosure_year.html", context)


def disclosure_download(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    disclosure = selectors.disclosures_published(year=year).filter(pk=pk).first()
    if not isinstance(disclosure, AnnualDisclosure):
        raise Http404
    return exports.disclosure_csv(disclosure)
