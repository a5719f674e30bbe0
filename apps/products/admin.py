"""The bureau's admin for products: record the security and business-compliance reviews, set cap
prices, withdraw a product; check and approve (four eyes) or return maximum allowed revenues and
carry revenue above them over; publish the bureau's annual disclosure. Prices, reviews and
deductions are read only here: every decision calls the same services as the pages."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, reverse
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.access import signed_in_user
from apps.core.admin_decisions import (
    BureauAdmin,
    Decision,
    DecisionAdmin,
    decision_actions,
    moves_to,
    refusal,
)
from apps.core.errors import DomainError

from . import services
from .choices import (
    CEILING_TRANSITIONS,
    PRODUCT_TRANSITIONS,
    CeilingStatus,
    DisclosureStatus,
    ProductStatus,
    ReviewKind,
)
from .forms import CapForm, ReviewForm
from .models import (
    ActualPrice,
    AnnualDisclosure,
    CapPrice,
    MaximumAllowedRevenue,
    Product,
    ProductRevenue,
    ProductReview,
    RevenueCeilingDeduction,
)
from .services.prices import PRICEABLE

# Products -------------------------------------------------------------------------------------


def _withdraw(product: Product, actor: Any, reason: str) -> object:
    return services.product_withdraw(product=product, actor=actor, reason=reason)


PRODUCT_DECISIONS = {
    "withdraw": Decision(gettext_lazy("Withdraw"), "review", True,
                         moves_to(PRODUCT_TRANSITIONS, ProductStatus.WITHDRAWN), _withdraw),
}  # fmt: skip


class ReviewInline(admin.TabularInline):
    model = ProductReview
    fields = ("review_round", "kind", "outcome", "reason", "reviewer", "reviewed_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(DecisionAdmin):
    list_display = ("id", "name", "operator", "kind", "use", "fee_form", "status", "submitted_at")
    list_filter = ("status", "kind", "use", "fee_form")
    list_select_related = ("operator",)
    search_fields = ("name", "operator__name", "operator__credit_code")
    fields = (
        "operator", "name", "description", "kind", "authorization_list", "scenario", "use",
        "fee_form", "unit", "status", "review_round", "status_reason", "submitted_by",
        "submitted_at", "offered_on", "withdrawn_on",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [ReviewInline]
    decisions = PRODUCT_DECISIONS
    decision_permissions = {
        "review": "products.review_product",
        "price": "products.price_product",
    }
    actions = decision_actions(PRODUCT_DECISIONS)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("products.review_product")

    def has_price_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("products.price_product")

    def describe(self, product: Product) -> str:
        return f"#{product.pk} {product.name}"

    @admin.display(description=gettext_lazy("authorizations drawn on"))
    def authorization_list(self, product: Product) -> str:
        drawn = product.authorizations.select_related("entry").order_by("pk")
        return _(", ").join(f"#{a.pk} {a.entry.identifier}" for a in drawn) or "—"

    def extra_urls(self) -> list[URLPattern]:
        return [
            self.view_url("review", self.review_view, "review/"),
            self.view_url("cap", self.cap_view, "cap/"),
        ]

    def object_decisions(self, request: HttpRequest, obj: Any) -> list[dict[str, Any]]:
        found = super().object_decisions(request, obj)
        if obj.status == ProductStatus.SUBMITTED and self.has_review_permission(request):
            url = reverse(self.url_name("review"), args=[obj.pk])
            found.insert(0, {"name": "review", "label": _("Record a review"), "url": url})
        if obj.status in PRICEABLE and self.has_price_permission(request):
            url = reverse(self.url_name("cap"), args=[obj.pk])
            found.insert(0, {"name": "cap", "label": _("Set the cap price"), "url": url})
        return found

    def _product(self, request: HttpRequest, object_id: str, permission: str) -> Product:
        if not getattr(self, f"has_{permission}_permission")(request):
            raise self.refused(permission)
        product = self.get_object(request, unquote(object_id))
        if product is None:
            raise Http404
        return product

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        product = self._product(request, object_id, "review")
        done = set(product.reviews.filter(review_round=product.review_round)
                   .values_list("kind", flat=True))  # fmt: skip
        pending = [kind for kind in ReviewKind.values if kind not in done]
        posted = request.method == "POST"
        form = ReviewForm(request.POST if posted else None, request.FILES if posted else None,
                          pending=pending)  # fmt: skip
        if posted and form.is_valid():
            try:
                services.product_review_record(
                    product=product, actor=signed_in_user(request), **form.cleaned_data
                )
            except ValidationError as error:
                form.add_service_error(error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The review was recorded."))
                return HttpResponseRedirect(reverse(self.url_name("change"), args=[product.pk]))
        return self.render_decision(request, _("Record a review"), [product], form)

    def cap_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        product = self._product(request, object_id, "price")
        form = CapForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.cap_price_set(
                    product=product, actor=signed_in_user(request), **form.cleaned_data
                )
            except ValidationError as error:
                form.add_service_error(error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The cap price was set."))
                return HttpResponseRedirect(reverse(self.url_name("change"), args=[product.pk]))
        return self.render_decision(request, _("Set the cap price"), [product], form)


@admin.register(ProductReview)
class ProductReviewAdmin(BureauAdmin):
    list_display = ("product", "review_round", "kind", "outcome", "reviewer", "reviewed_at")
    list_filter = ("kind", "outcome")
    list_select_related = ("product__operator", "reviewer")
    search_fields = ("product__name", "reason")
    fields = (*list_display, "reason", "document_link")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("review document"))
    def document_link(self, review: ProductReview) -> str:
        url = reverse("admin:products_productreview_document", args=[review.pk])
        return format_html('<a href="{}">{}</a>', url, review.document_name)

    def get_urls(self) -> list[Any]:
        return [self.view_url("document", self.document_view, "document/"), *super().get_urls()]

    def document_view(self, request: HttpRequest, object_id: str) -> FileResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        review = self.get_object(request, unquote(object_id))
        if review is None:
            raise Http404
        try:
            handle = review.document.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        return FileResponse(handle, as_attachment=True, filename=review.document_name)


@admin.register(CapPrice)
class CapPriceAdmin(BureauAdmin):
    list_display = ("product", "fee_form", "amount", "effective_from", "set_by", "set_at")
    list_filter = ("fee_form",)
    list_select_related = ("product__operator", "set_by")
    search_fields = ("product__name", "product__operator__name")
    fields = (*list_display, "reason")
    readonly_fields = fields


@admin.register(ActualPrice)
class ActualPriceAdmin(BureauAdmin):
    list_display = ("product", "amount", "cap_amount", "effective_from", "trial", "set_at")
    list_filter = ("trial",)
    list_select_related = ("product__operator",)
    search_fields = ("product__name", "product__operator__name")
    fields = (*list_display, "cap", "reason", "set_by")
    readonly_fields = fields


# Maximum allowed revenue --------------------------------------------------------------------


def _check(ceiling: MaximumAllowedRevenue, actor: Any, reason: str) -> object:
    return services.ceiling_check(ceiling=ceiling, actor=actor, reason=reason)


def _approve(ceiling: MaximumAllowedRevenue, actor: Any, reason: str) -> object:
    return services.ceiling_approve(ceiling=ceiling, actor=actor, reason=reason)


def _return(ceiling: MaximumAllowedRevenue, actor: Any, reason: str) -> object:
    return services.ceiling_return(ceiling=ceiling, actor=actor, reason=reason)


CEILING_DECISIONS = {
    "check": Decision(gettext_lazy("Check"), "check", False,
                      moves_to(CEILING_TRANSITIONS, CeilingStatus.CHECKED), _check),
    "approve": Decision(gettext_lazy("Approve"), "approve", False,
                        moves_to(CEILING_TRANSITIONS, CeilingStatus.APPROVED), _approve),
    "return": Decision(gettext_lazy("Return for correction"), "decide", True,
                       moves_to(CEILING_TRANSITIONS, CeilingStatus.RETURNED), _return),
}  # fmt: skip


@admin.register(MaximumAllowedRevenue)
class MaximumAllowedRevenueAdmin(DecisionAdmin):
    list_display = ("operator", "year", "maximum", "trial", "status", "proposed_at")
    list_filter = ("status", "year", "trial")
    list_select_related = ("operator",)
    search_fields = ("operator__name", "operator__credit_code")
    fields = (
        "operator", "year", "cost_platform", "cost_transmission", "cost_processing",
        "cost_labour", "cost_other", "subsidies", "pricing_cost", "treasury_yield", "yield_date",
        "profit_rate", "allowed_profit", "tax", "maximum", "trial", "status", "review_reason",
        "proposed_by", "proposed_at", "checked_by", "approved_by", "approved_at",
    )  # fmt: skip
    readonly_fields = fields
    decisions = CEILING_DECISIONS
    decision_permissions = {
        "check": "products.check_maximumallowedrevenue",
        "approve": "products.approve_maximumallowedrevenue",
    }
    actions = [*decision_actions(CEILING_DECISIONS), "carry_over_selected"]

    def has_check_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("products.check_maximumallowedrevenue")

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("products.approve_maximumallowedrevenue")

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return self.has_check_permission(request) or self.has_approve_permission(request)

    def decision_barrier(self, request: HttpRequest, obj: Any, decision: str) -> str:
        if decision == "approve" and obj.checked_by_id == request.user.pk:
            return _("Four eyes: who checked the figures does not approve them too.")
        return ""

    @admin.action(description=gettext_lazy("Carry revenue above the maximum into the next year"),
                  permissions=["approve"])  # fmt: skip
    def carry_over_selected(
        self, request: HttpRequest, queryset: QuerySet[MaximumAllowedRevenue]
    ) -> None:
        for ceiling in queryset.select_related("operator"):
            try:
                deduction = services.revenue_ceiling_carry_over(
                    ceiling=ceiling, actor=signed_in_user(request)
                )
            except (DomainError, ValidationError) as error:
                messages.error(request, f"{ceiling}: {refusal(error)}")
                continue
            if deduction is None:
                messages.info(request, _("%(ceiling)s: revenue stayed within the maximum.")
                              % {"ceiling": ceiling})  # fmt: skip
            else:
                messages.warning(request, _(
                    "%(ceiling)s: %(amount)s yuan above the maximum, deducted from %(year)s."
                ) % {"ceiling": ceiling, "amount": localize(deduction.amount),
                     "year": deduction.year})  # fmt: skip


@admin.register(RevenueCeilingDeduction)
class RevenueCeilingDeductionAdmin(BureauAdmin):
    list_display = ("operator", "year", "excess_year", "allowed", "reported", "amount")
    list_filter = ("year",)
    list_select_related = ("operator",)
    fields = (*list_display, "ceiling", "rule", "recorded_by", "recorded_at")
    readonly_fields = fields


@admin.register(ProductRevenue)
class ProductRevenueAdmin(BureauAdmin):
    list_display = ("report", "product", "amount", "recorded_at")
    list_select_related = ("report__operator", "product__operator")
    fields = (*list_display, "recorded_by")
    readonly_fields = fields


# The annual disclosure -----------------------------------------------------------------------


def _publish(disclosure: AnnualDisclosure, actor: Any, reason: str) -> object:
    return services.disclosure_publish(disclosure=disclosure, actor=actor)


DISCLOSURE_DECISIONS = {
    "publish": Decision(
        gettext_lazy("Publish"), "publish", False,
        lambda d: d.operator_id is None and d.status == DisclosureStatus.DRAFT, _publish,
    ),
}  # fmt: skip


@admin.register(AnnualDisclosure)
class AnnualDisclosureAdmin(DecisionAdmin):
    list_display = ("year", "operator", "status", "due_on", "published_at")
    list_filter = ("status", "year")
    list_select_related = ("operator",)
    fields = ("year", "operator", "status", "due_on", "statement", "content", "published_by",
              "published_at")  # fmt: skip
    readonly_fields = fields
    decisions = DISCLOSURE_DECISIONS
    decision_permissions = {"publish": "products.publish_annualdisclosure"}
    actions = decision_actions(DISCLOSURE_DECISIONS)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("products.publish_annualdisclosure")
