"""Every write of products, prices, the maximum allowed revenue and the annual disclosure: the
pages, the admin, the API and the commands call these and nothing else."""

from .ceilings import (
    ceiling_approve,
    ceiling_check,
    ceiling_correct,
    ceiling_propose,
    ceiling_return,
    check_ceiling_figures,
    revenue_ceiling_carry_over,
)
from .disclosures import (
    disclosure_due_on,
    disclosure_prepare,
    disclosure_publish,
    disclosures_open,
)
from .prices import actual_price_set, cap_price_set
from .products import (
    check_product_data,
    product_resubmit,
    product_review_record,
    product_submit,
    product_withdraw,
    products_withdraw_with,
)
from .revenue_lines import product_revenue_record

__all__ = [
    "actual_price_set", "cap_price_set", "ceiling_approve", "ceiling_check", "ceiling_correct",
    "ceiling_propose", "ceiling_return", "check_ceiling_figures", "check_product_data",
    "disclosure_due_on", "disclosure_prepare", "disclosure_publish", "disclosures_open",
    "product_resubmit", "product_revenue_record", "product_review_record", "product_submit",
    "product_withdraw", "products_withdraw_with", "revenue_ceiling_carry_over",
]  # fmt: skip
