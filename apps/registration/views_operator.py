"""Operator pages: an operator applies for the registration of its offered data products and
services (数据产品登记), answers a materials notice, and follows each step with its deadline, on the
department's templates (views_registrant.py)."""

from apps.core.access import operator_member

from . import selectors
from .forms import ProductApplicationForm
from .views_registrant import Registrant, registrant_views

OPERATOR = Registrant(
    namespace="operator_registration",
    member=operator_member,
    subject="product",
    form=lambda *args, subjects, **kwargs: ProductApplicationForm(
        *args, products=subjects, **kwargs
    ),
    subjects=selectors.products_registrable,
    applications=selectors.applications_of_operator,
    application=selectors.application_of_operator,
)

application_list, application_create, application_detail = registrant_views(OPERATOR)
