"""Controlled lists and life cycles of data products and services, their prices, the maximum
allowed revenue and the annual disclosure (发改价格〔2025〕65号, 发改数据规〔2025〕27号;
../shared/domain.md, "What the national rules (2025) add")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductKind(models.TextChoices):
    DATA_PRODUCT = "data_product", _("data product")
    DATA_SERVICE = "data_service", _("data service")
    MODEL = "model", _("model")
    VERIFICATION = "verification", _("verification")
    REPORT = "report", _("report")


class FeeForm(models.TextChoices):
    """How a government-guided operation service fee is charged (65号); public-interest use is
    free."""

    FREE = "free", _("free (public interest)")
    PER_QUANTITY = "per_quantity", _("per product quantity")
    PER_CALL = "per_call", _("per call")
    PER_TIME = "per_time", _("per unit of service time")
    PER_VOLUME = "per_volume", _("per data volume")


class ProductStatus(models.TextChoices):
    SUBMITTED = "submitted", _("awaiting review")
    OFFERED = "offered", _("offered")
    REFUSED = "refused", _("refused in review")
    WITHDRAWN = "withdrawn", _("withdrawn")


# submitted → offered (both reviews passed) | refused (a review not passed) | withdrawn;
# refused → submitted (changed and submitted again: both reviews anew); offered → withdrawn
# (by the operator, the bureau, or with an authorization it draws on).
PRODUCT_TRANSITIONS: dict[str, set[str]] = {
    ProductStatus.SUBMITTED: {
        ProductStatus.OFFERED, ProductStatus.REFUSED, ProductStatus.WITHDRAWN,
    },
    ProductStatus.REFUSED: {ProductStatus.SUBMITTED, ProductStatus.WITHDRAWN},
    ProductStatus.OFFERED: {ProductStatus.WITHDRAWN},
    ProductStatus.WITHDRAWN: set(),
}  # fmt: skip


class ReviewKind(models.TextChoices):
    """The two reviews the agreement's product and service list needs (27号)."""

    SECURITY = "security", _("security review")
    COMPLIANCE = "compliance", _("business-compliance review")


class ReviewOutcome(models.TextChoices):
    PASSED = "passed", _("passed")
    FAILED = "failed", _("not passed")


class CeilingStatus(models.TextChoices):
    PROPOSED = "proposed", _("awaiting check")
    CHECKED = "checked", _("checked, awaiting approval")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned for correction")


# Four eyes: a reviewer checks the operator's figures, a different person approves them.
CEILING_TRANSITIONS: dict[str, set[str]] = {
    CeilingStatus.PROPOSED: {CeilingStatus.CHECKED, CeilingStatus.RETURNED},
    CeilingStatus.CHECKED: {CeilingStatus.APPROVED, CeilingStatus.RETURNED},
    CeilingStatus.RETURNED: {CeilingStatus.PROPOSED},
    CeilingStatus.APPROVED: set(),
}


class DisclosureStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


DISCLOSURE_TRANSITIONS: dict[str, set[str]] = {
    DisclosureStatus.DRAFT: {DisclosureStatus.PUBLISHED},
    DisclosureStatus.PUBLISHED: set(),
}
