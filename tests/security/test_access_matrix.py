"""The access matrix: every page of the site and every API operation, requested as every persona.

Pages are discovered from the URL resolver and API operations from the OpenAPI schema, and each
needs a row below: a new page or endpoint without one fails ``test_every_page_and_operation_
has_a_row``, naming what to add. Each row says what every persona gets, in a small vocabulary
(200, login redirect, 403, 404, …); the shorthands keep the common patterns readable.

One world of real objects (an entry of the department with a loaded data version, applications,
an authorization, a qualification with its document, a revenue report with its attachment, an
API key per operator) is built once for the module and rolled back at its end; each request runs
in a savepoint of its own, so a POST that changes something leaves the next request the world as
it was. Another organisation's object answers 404 (its existence is not revealed), and nobody
ever gets a 5xx.

The Django admin is checked generically: who is not bureau staff is sent to the admin's login
and never gets a page; bureau staff never get a 5xx and reach the admin index.
"""

import copy
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from apps.accounts.models import User
from apps.api import services as api_services
from apps.authorizations import services as authorization_services
from apps.authorizations.models import Application, Authorization, Qualification
from apps.catalog.models import CatalogEntry
from apps.cdo import services as cdo_services
from apps.datazone.models import DataVersion
from apps.notifications.kinds import Kind
from apps.notifications.models import Notification
from apps.organisations.models import Operator
from apps.products import services as product_services
from apps.products.models import AnnualDisclosure, Product
from apps.registration import services as registration_services
from apps.registration.models import Registration, RegistrationApplication
from apps.revenue import services as revenue_services
from apps.revenue.models import RevenueReport
from apps.revenue.money import current_period, previous_period
from tests.api.conftest import FIELDS, GRANTED, load_rows, make_rows
from tests.authorizations.conftest import AGREEMENT, qualify, scope
from tests.conftest import _bureau_user
from tests.factories import DepartmentFactory, OperatorFactory, UserFactory, make_entry

# Vocabulary ------------------------------------------------------------------------------------

OK = "200"
CREATED = "201"
REDIRECT = "302"  # a redirect anywhere but to a login page
LOGIN = "login"  # 302 to the portal's login page
ADMIN_LOGIN = "admin-login"  # 302 to the admin's login page
BAD_REQUEST = "400"
UNAUTHORIZED = "401"
FORBIDDEN = "403"
NOT_FOUND = "404"
NOT_ALLOWED = "405"

# Personas ------------------------------------------------------------------------------------

PERSONAS = (
    "anonymous",
    "department_member",
    "department_cdo",  # a member appointed chief data officer (cdo_appoint)
    "other_department_member",
    "operator_admin",
    "operator_member",
    "other_operator_member",  # of another qualified operator, with its own API key
    "reviewer",
    "approver",
    "auditor",
    "outsider",  # signed in, belongs to no organisation
)
GROUPS = {
    "department": ("department_member", "department_cdo"),
    "other_department": ("other_department_member",),
    "operator": ("operator_admin", "operator_member"),
    "other_operator": ("other_operator_member",),
    "bureau": ("reviewer", "approver", "auditor"),
}
BUREAU = frozenset(GROUPS["bureau"])

Row = dict[str, str]


def row(default: str, **cells: str) -> Row:
    """Every persona gets ``default`` except the groups and personas named, in the order given
    (name a group first, then the persona in it that differs)."""
    result = dict.fromkeys(PERSONAS, default)
    for key, expected in cells.items():
        for persona in GROUPS.get(key, (key,)):
            assert persona in result, f"unknown persona or group {key!r}"
            result[persona] = expected
    return result


# Shorthands for pages.
PUBLIC = row(OK)
SIGNED_IN = row(OK, anonymous=LOGIN)
# Members of a department or an operator; bureau staff and users of no organisation are refused.
ORGANISATION_MEMBERS = row(OK, anonymous=LOGIN, bureau=FORBIDDEN, outsider=FORBIDDEN)
# Pages of one's own organisation: every department (operator) sees its own.
DEPARTMENT_ONLY = row(FORBIDDEN, anonymous=LOGIN, department=OK, other_department=OK)
OPERATOR_ONLY = row(FORBIDDEN, anonymous=LOGIN, operator=OK, other_operator=OK)
OPERATOR_ADMIN_ONLY = row(FORBIDDEN, anonymous=LOGIN, operator_admin=OK)
DEPARTMENT_CDO_ONLY = row(FORBIDDEN, anonymous=LOGIN, department_cdo=OK)
# One object of the department (operator): another one's member gets 404, never 403 or 200.
DEPARTMENT_OBJECT = row(FORBIDDEN, anonymous=LOGIN, department=OK, other_department=NOT_FOUND)
OPERATOR_OBJECT = row(FORBIDDEN, anonymous=LOGIN, operator=OK, other_operator=NOT_FOUND)
BUREAU_ONLY = row(FORBIDDEN, anonymous=LOGIN, bureau=OK)
# A POST-only view asked with GET: 405 once signed in.
POST_ONLY = row(NOT_ALLOWED, anonymous=LOGIN)

# Shorthands for the API: operator personas send their operator's key (Authorization: Bearer),
# everyone else only their session, which the API does not accept.
API_PUBLIC = row(OK)
API_KEY_HOLDERS = row(UNAUTHORIZED, operator=OK, other_operator=OK)
API_DATASET = row(UNAUTHORIZED, operator=OK, other_operator=NOT_FOUND)

# The tables ----------------------------------------------------------------------------------

# GET of every named page that is not an API operation (those are in API below).
PAGES: dict[str, Row] = {
    # Public pages, feeds and exports.
    "home": PUBLIC,
    "catalog:list": PUBLIC,
    "catalog:feed-rss": PUBLIC,
    "catalog:feed-atom": PUBLIC,
    "catalog:detail": PUBLIC,
    "catalog:dcat-jsonld": PUBLIC,
    "catalog:dcat-turtle": PUBLIC,
    "catalog:dcat-rdfxml": PUBLIC,
    "catalog:entry-dcat-turtle": PUBLIC,
    "catalog:entry-dcat-jsonld": PUBLIC,
    "catalog:odrl-profile": PUBLIC,
    # The CKAN action API: read-only, the public catalog for everyone (tests/ckan).
    "ckan:action": PUBLIC,
    "ckan:action-unversioned": PUBLIC,
    "ckan:root": PUBLIC,
    "ckan:docs": PUBLIC,
    # The world's entry is conditional: nobody downloads its rows, its authorized operator
    # included (only open entries are downloadable; tests/opendata).
    "opendata:download-csv": row(NOT_FOUND),
    "opendata:download-xlsx": row(NOT_FOUND),
    "opendata:download-jsonl": row(NOT_FOUND),
    "authorizations:disclosure": PUBLIC,
    "authorizations:disclosure-csv": PUBLIC,
    "authorizations:disclosure-policy": PUBLIC,  # the ODRL agreement of one in force
    "registration:list": PUBLIC,
    "registration:csv": PUBLIC,
    "registration:lookup": PUBLIC,
    "registration:certificate": PUBLIC,
    "registration:object": row(NOT_ALLOWED),  # anyone may object, by POST
    "authorizations:scenarios": PUBLIC,
    # The price list, an offered product's page and the published annual disclosures.
    "products:prices": PUBLIC,
    "products:prices-csv": PUBLIC,
    "products:product": PUBLIC,
    "products:disclosure-year": PUBLIC,
    "products:disclosure-csv": PUBLIC,
    "api-v1": row(REDIRECT),  # to the API docs
    "api-schema": PUBLIC,
    "api-docs": PUBLIC,
    "set_language": row(REDIRECT),
    # A load balancer's probes: they say "ok" or what is missing, never why in detail.
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    # Accounts.
    "login": row(REDIRECT, anonymous=OK),  # the signed-in are sent on
    "logout": row(NOT_ALLOWED),  # POST only, whoever asks
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    "organisation": ORGANISATION_MEMBERS,
    # Departments.
    "department_catalog:list": DEPARTMENT_ONLY,
    "department_catalog:create": DEPARTMENT_ONLY,
    "department_catalog:detail": DEPARTMENT_OBJECT,
    "department_registration:list": DEPARTMENT_ONLY,
    "department_registration:create": DEPARTMENT_ONLY,
    "department_registration:detail": DEPARTMENT_OBJECT,
    "department_catalog:edit": DEPARTMENT_OBJECT,
    "department_catalog:submit": POST_ONLY,
    "department_catalog:confirm": POST_ONLY,
    "department_authorizations:list": DEPARTMENT_ONLY,
    "department_authorizations:authorizations": DEPARTMENT_ONLY,
    "department_authorizations:detail": DEPARTMENT_OBJECT,
    "department_authorizations:opinion": POST_ONLY,
    "department_usage:index": DEPARTMENT_ONLY,
    "datazone:versions": DEPARTMENT_OBJECT,
    "datazone:progress": DEPARTMENT_OBJECT,
    "datazone:errors": DEPARTMENT_OBJECT,
    "datazone:confirm": POST_ONLY,
    "cdo:department": DEPARTMENT_ONLY,
    # Everyone signed in has notifications and preferences of their own.
    "notifications:list": SIGNED_IN,
    "notifications:preferences": SIGNED_IN,
    "notifications:open": POST_ONLY,
    "notifications:read-all": POST_ONLY,
    "reporting:department-assessment": DEPARTMENT_CDO_ONLY,  # the CDO (or an administrator)
    "department_revenue:index": DEPARTMENT_ONLY,
    "department_revenue:export-csv": DEPARTMENT_ONLY,
    "department_revenue:export-xlsx": DEPARTMENT_ONLY,
    # Operators.
    "operator_authorizations:qualifications": OPERATOR_ONLY,
    "operator_authorizations:qualification-create": OPERATOR_ONLY,
    "operator_authorizations:qualification-document": OPERATOR_OBJECT,
    "operator_authorizations:scenarios": OPERATOR_ONLY,
    "operator_authorizations:scenario-create": OPERATOR_ONLY,
    "operator_authorizations:applications": OPERATOR_ONLY,
    "operator_authorizations:application-create": OPERATOR_ONLY,
    "operator_authorizations:application-detail": OPERATOR_OBJECT,
    "operator_authorizations:application-withdraw": POST_ONLY,
    "operator_authorizations:authorizations": OPERATOR_ONLY,
    "api_keys:list": OPERATOR_ONLY,  # members read the list
    "api_keys:create": OPERATOR_ADMIN_ONLY,
    # Admin-only is checked before the key is looked up: another operator's member gets 403.
    "api_keys:revoke": OPERATOR_ADMIN_ONLY,
    "operator_usage:index": OPERATOR_ONLY,
    "operator_revenue:reports": OPERATOR_ONLY,
    "operator_revenue:report-create": OPERATOR_ONLY,
    "operator_revenue:report-detail": OPERATOR_OBJECT,
    "operator_revenue:report-correct": POST_ONLY,
    "operator_revenue:report-attachment": OPERATOR_OBJECT,
    "operator_revenue:annual-report": OPERATOR_ONLY,  # the year of one's own operator
    "operator_revenue:annual-report-xlsx": OPERATOR_ONLY,
    "operator_products:list": OPERATOR_ONLY,
    "operator_products:create": OPERATOR_ONLY,
    "operator_products:detail": OPERATOR_OBJECT,
    "operator_products:price": POST_ONLY,
    "operator_products:withdraw": POST_ONLY,
    "operator_products:resubmit": POST_ONLY,
    "operator_products:ceilings": OPERATOR_ONLY,
    "operator_products:ceiling-create": OPERATOR_ONLY,
    "operator_products:ceiling-year": OPERATOR_ONLY,  # the year of one's own operator
    "operator_products:report-breakdown": OPERATOR_OBJECT,
    "operator_products:disclosures": OPERATOR_ONLY,
    "operator_products:disclosure-prepare": POST_ONLY,
    "operator_products:disclosure": OPERATOR_OBJECT,
    "operator_registration:list": OPERATOR_ONLY,
    "operator_registration:create": OPERATOR_ONLY,
    "operator_registration:detail": OPERATOR_OBJECT,
    # Bureau.
    "reporting:bureau-assessment": BUREAU_ONLY,
    "bureau_revenue:index": BUREAU_ONLY,
    "bureau_revenue:ledger-csv": BUREAU_ONLY,
    "bureau_revenue:ledger-xlsx": BUREAU_ONLY,
    "bureau_revenue:annual-report-pick": row(FORBIDDEN, anonymous=LOGIN, bureau=REDIRECT),
    "bureau_revenue:annual-report": BUREAU_ONLY,
    "bureau_revenue:annual-report-xlsx": BUREAU_ONLY,
    # Staff two-factor pages (staff 2FA is off in the test profile). Staff without an
    # authenticator are sent to set one up.
    "twofactor:manage": row(FORBIDDEN, anonymous=LOGIN, bureau=REDIRECT),
    "twofactor:setup": BUREAU_ONLY,
    "twofactor:verify": row(FORBIDDEN, anonymous=LOGIN, bureau=REDIRECT),
    "twofactor:recovery-codes": row(NOT_ALLOWED),  # require_POST runs before the login check
}

# POST with empty data: every POST-only view (required) and the forms (optional). A form sent
# empty answers 200 with its errors; an action answers 302 with a message.
POSTS: dict[str, Row] = {
    "login": row(REDIRECT, anonymous=OK),
    "logout": row(REDIRECT),
    "set_language": row(REDIRECT),
    "password_change": SIGNED_IN,
    "department_catalog:create": DEPARTMENT_ONLY,
    "department_catalog:edit": DEPARTMENT_OBJECT,
    # Anyone may object; an empty objection is refused with the form's errors.
    "registration:object": row(BAD_REQUEST),
    "department_registration:create": DEPARTMENT_ONLY,
    "department_registration:detail": DEPARTMENT_OBJECT,
    "operator_registration:create": OPERATOR_ONLY,
    "operator_registration:detail": OPERATOR_OBJECT,
    "department_catalog:submit": row(
        FORBIDDEN, anonymous=LOGIN, department=REDIRECT, other_department=NOT_FOUND
    ),
    # Only the CDO confirms; a member is told so (302 with a message), not shown the object.
    "department_catalog:confirm": row(
        FORBIDDEN, anonymous=LOGIN, department=REDIRECT, other_department=NOT_FOUND
    ),
    # The department's opinion is its CDO's: a member gets 403.
    "department_authorizations:opinion": row(
        FORBIDDEN, anonymous=LOGIN, department_cdo=OK, other_department=NOT_FOUND
    ),
    "datazone:versions": DEPARTMENT_OBJECT,
    # The world's version is live, not held: the department is told so (302 with a message).
    "datazone:confirm": row(
        FORBIDDEN, anonymous=LOGIN, department=REDIRECT, other_department=NOT_FOUND
    ),
    "operator_authorizations:qualification-create": OPERATOR_ONLY,
    "operator_authorizations:scenario-create": OPERATOR_ONLY,
    "operator_authorizations:application-create": OPERATOR_ONLY,
    "operator_authorizations:application-withdraw": row(
        FORBIDDEN, anonymous=LOGIN, operator=REDIRECT, other_operator=NOT_FOUND
    ),
    "api_keys:create": OPERATOR_ADMIN_ONLY,
    "api_keys:revoke": row(FORBIDDEN, anonymous=LOGIN, operator_admin=REDIRECT),
    "operator_revenue:report-create": OPERATOR_ONLY,
    "operator_revenue:report-correct": OPERATOR_OBJECT,
    "operator_products:create": OPERATOR_ONLY,
    # Sent empty: the price and the resubmission are refused with the form's errors (400).
    "operator_products:price": row(
        FORBIDDEN, anonymous=LOGIN, operator=BAD_REQUEST, other_operator=NOT_FOUND
    ),
    "operator_products:resubmit": row(
        FORBIDDEN, anonymous=LOGIN, operator=BAD_REQUEST, other_operator=NOT_FOUND
    ),
    "operator_products:withdraw": row(
        FORBIDDEN, anonymous=LOGIN, operator=REDIRECT, other_operator=NOT_FOUND
    ),
    "operator_products:ceiling-create": OPERATOR_ONLY,
    "operator_products:report-breakdown": OPERATOR_OBJECT,  # sent empty: the form's errors
    # Each operator prepares its own disclosure of last year, then lands on it.
    "operator_products:disclosure-prepare": row(
        FORBIDDEN, anonymous=LOGIN, operator=REDIRECT, other_operator=REDIRECT
    ),
    # Publishing the draft (the statement is optional), then back to it.
    "operator_products:disclosure": row(
        FORBIDDEN, anonymous=LOGIN, operator=REDIRECT, other_operator=NOT_FOUND
    ),
    "twofactor:setup": BUREAU_ONLY,
    "twofactor:verify": row(FORBIDDEN, anonymous=LOGIN, bureau=REDIRECT),
    # New recovery codes only after the second factor: unverified staff get 403 too.
    "twofactor:recovery-codes": row(FORBIDDEN, anonymous=LOGIN),
    # Only one's own notifications: the operator administrator's (the new key) opens and lands
    # on its object; anyone else's is 404, its existence not revealed.
    "notifications:open": row(NOT_FOUND, anonymous=LOGIN, operator_admin=REDIRECT),
    "notifications:read-all": row(REDIRECT, anonymous=LOGIN),
    "notifications:preferences": SIGNED_IN,  # sent empty: the form with its errors
}

# Every API operation of the OpenAPI schema, "METHOD /path/{parameter}/". POSTs send {}.
API: dict[str, Row] = {
    "GET /api/v1/catalog/": API_PUBLIC,
    "GET /api/v1/catalog/{identifier}/": API_PUBLIC,
    "GET /api/v1/authorizations/": API_KEY_HOLDERS,  # each key sees its own operator's
    "GET /api/v1/usage/": API_KEY_HOLDERS,
    "GET /api/v1/datasets/": API_KEY_HOLDERS,
    "GET /api/v1/datasets/{identifier}/": API_DATASET,
    "GET /api/v1/datasets/{identifier}/records/": API_DATASET,
    "GET /api/v1/datasets/{identifier}/aggregate/": API_DATASET,
    "POST /api/v1/datasets/{identifier}/verify/": row(
        UNAUTHORIZED, operator=BAD_REQUEST, other_operator=NOT_FOUND
    ),
    # The keyless open API serves open entries only; the world's entry is conditional.
    "GET /api/v1/open/{identifier}/": row(NOT_FOUND),
    "GET /api/v1/open/{identifier}/records/": row(NOT_FOUND),
    "GET /api/v1/revenue-reports/": API_KEY_HOLDERS,
    "POST /api/v1/revenue-reports/": row(
        UNAUTHORIZED, operator=BAD_REQUEST, other_operator=BAD_REQUEST
    ),
    "GET /api/v1/products/": API_KEY_HOLDERS,  # each key lists its own operator's
    "POST /api/v1/products/": row(UNAUTHORIZED, operator=BAD_REQUEST, other_operator=BAD_REQUEST),
    # Sent empty: the operator's own product answers 400; another operator's is not revealed.
    "POST /api/v1/products/{product}/prices/": row(
        UNAUTHORIZED, operator=BAD_REQUEST, other_operator=NOT_FOUND
    ),
}


# The world -----------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User | None]
    entry: CatalogEntry  # published, rows loaded, authorized to the operator
    draft: CatalogEntry  # the department's draft
    version: DataVersion
    application: Application  # the operator's, awaiting the department's opinion
    authorization: Authorization
    qualification: Qualification
    report: RevenueReport
    operator: Operator
    keys: dict[str, str]  # persona -> raw API key of its operator
    key_pk: int  # the operator's key
    notification_pk: int  # the operator administrator's, of that key's creation
    year: int
    registration: Registration  # of the entry, by the department
    product: Product  # the operator's, offered and priced
    product_application: RegistrationApplication  # the operator's, for that product
    disclosure: AnnualDisclosure  # the operator's draft for last year
    published: AnnualDisclosure  # the bureau's, published for last year


# URL name -> the kwargs of its route in the world.
ARGUMENTS: dict[str, Callable[[World], dict[str, Any]]] = {
    "catalog:detail": lambda w: {"identifier": w.entry.identifier},
    "catalog:entry-dcat-turtle": lambda w: {"identifier": w.entry.identifier},
    "catalog:entry-dcat-jsonld": lambda w: {"identifier": w.entry.identifier},
    "authorizations:disclosure-policy": lambda w: {"pk": w.authorization.pk},
    "ckan:action": lambda w: {"name": "package_search"},
    "ckan:action-unversioned": lambda w: {"name": "package_list"},
    "opendata:download-csv": lambda w: {"identifier": w.entry.identifier},
    "opendata:download-xlsx": lambda w: {"identifier": w.entry.identifier},
    "opendata:download-jsonl": lambda w: {"identifier": w.entry.identifier},
    "department_catalog:detail": lambda w: {"identifier": w.draft.identifier},
    "department_catalog:edit": lambda w: {"identifier": w.draft.identifier},
    "department_catalog:submit": lambda w: {"identifier": w.draft.identifier},
    "department_catalog:confirm": lambda w: {"identifier": w.draft.identifier},
    "department_authorizations:detail": lambda w: {"pk": w.application.pk},
    "registration:certificate": lambda w: {"code": w.registration.code},
    "registration:object": lambda w: {"pk": w.registration.application_id},
    "department_registration:detail": lambda w: {"pk": w.registration.application_id},
    "operator_registration:detail": lambda w: {"pk": w.product_application.pk},
    "department_authorizations:opinion": lambda w: {"pk": w.application.pk},
    "operator_authorizations:qualification-document": lambda w: {"pk": w.qualification.pk},
    "operator_authorizations:application-detail": lambda w: {"pk": w.application.pk},
    "operator_authorizations:application-withdraw": lambda w: {"pk": w.application.pk},
    "api_keys:revoke": lambda w: {"pk": w.key_pk},
    "notifications:open": lambda w: {"pk": w.notification_pk},
    "datazone:versions": lambda w: {"identifier": w.entry.identifier},
    "datazone:progress": lambda w: {"identifier": w.entry.identifier, "number": w.version.number},
    "datazone:errors": lambda w: {"identifier": w.entry.identifier, "number": w.version.number},
    "datazone:confirm": lambda w: {"identifier": w.entry.identifier, "number": w.version.number},
    "operator_revenue:report-detail": lambda w: {"pk": w.report.pk},
    "operator_revenue:report-correct": lambda w: {"pk": w.report.pk},
    "operator_revenue:report-attachment": lambda w: {"pk": w.report.pk},
    "operator_revenue:annual-report": lambda w: {"year": w.year},
    "operator_revenue:annual-report-xlsx": lambda w: {"year": w.year},
    "bureau_revenue:annual-report": lambda w: {"operator_id": w.operator.pk, "year": w.year},
    "bureau_revenue:annual-report-xlsx": lambda w: {"operator_id": w.operator.pk, "year": w.year},
    "products:product": lambda w: {"pk": w.product.pk},
    "products:disclosure-year": lambda w: {"year": w.published.year},
    "products:disclosure-csv": lambda w: {"year": w.published.year, "pk": w.published.pk},
    "operator_products:detail": lambda w: {"pk": w.product.pk},
    "operator_products:price": lambda w: {"pk": w.product.pk},
    "operator_products:withdraw": lambda w: {"pk": w.product.pk},
    "operator_products:resubmit": lambda w: {"pk": w.product.pk},
    "operator_products:ceiling-year": lambda w: {"year": w.year},
    "operator_products:disclosure": lambda w: {"pk": w.disclosure.pk},
    "operator_products:report-breakdown": lambda w: {"pk": w.report.pk},
}

# OpenAPI path parameter -> its value in the world.
API_ARGUMENTS: dict[str, Callable[[World], str]] = {
    "identifier": lambda w: w.entry.identifier,
    "product": lambda w: str(w.product.pk),
}


def _personas(
    permissions: dict[str, list[tuple[str, str]]], department, other_department, operator,
    other_operator,
) -> dict[str, User | None]:  # fmt: skip
    def member(username: str, role: str = "member", **organisation: Any) -> User:
        return UserFactory(username=username, organisation_role=role, **organisation)

    return {
        "anonymous": None,
        "department_member": member("dept_member", department=department),
        "department_cdo": member("dept_cdo", department=department),  # appointed below
        "other_department_member": member("other_member", department=other_department),
        "operator_admin": member("op_admin", "admin", operator=operator),
        "operator_member": member("op_member", operator=operator),
        "other_operator_member": member("rival_member", operator=other_operator),
        "reviewer": _bureau_user("reviewer", "reviewer", permissions),
        "approver": _bureau_user("approver", "approver", permissions),
        "auditor": _bureau_user("auditor", "auditor", permissions),
        "outsider": UserFactory(username="outsider"),
    }


def _application(operator, member, entry, scenario, fields: list[str]) -> Application:
    today = timezone.localdate()
    return authorization_services.application_submit(
        operator=operator, actor=member, entry=entry, scenario=scenario, requested_fields=fields,
        purpose="学区分析", requested_from=today, requested_until=today + timedelta(days=365),
        expected_daily_calls=100,
    )  # fmt: skip


def _authorization(application: Application, users: dict[str, Any]) -> Authorization:
    """Opinion, recommendation and approval through the real services; valid since long enough
    for last month's revenue to be reported."""
    authorization_services.application_department_opinion(
        application=application, actor=users["department_cdo"], agree=True
    )
    authorization_services.application_recommend(
        application=application, actor=users["reviewer"], recommendation="approve"
    )
    now = timezone.now()
    terms = scope(
        allowed_fields=GRANTED, valid_from=now - timedelta(days=400),
        valid_until=now + timedelta(days=365), daily_row_quota=1_000_000,
    )  # fmt: skip
    return authorization_services.application_approve(
        application=application, actor=users["approver"], scope=terms, agreement=AGREEMENT
    )


def _registration(entry: CatalogEntry, member: User, reviewer: User) -> Registration:
    """Registered through the services; the notice's 10 working days are stepped over."""
    application = registration_services.registration_apply(
        entry=entry, actor=member, kind="first", summary="摘要",
        documents=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 registration", "application/pdf")],
    )  # fmt: skip
    registration_services.registration_accept(application=application, actor=reviewer)
    registration_services.registration_open_notice(application=application, actor=reviewer)
    today = timezone.localdate()
    RegistrationApplication.objects.filter(pk=application.pk).update(
        notice_starts=today - timedelta(days=20), notice_ends=today - timedelta(days=1)
    )
    registration_services.registration_conclude(application=application, actor=reviewer)
    return Registration.objects.get(application=application)


def _product(authorization: Authorization, users: dict[str, Any]) -> Product:
    """Listed, reviewed, capped and priced through the services."""
    member, today = users["operator_member"], timezone.localdate()
    product = product_services.product_submit(
        operator=authorization.operator, actor=member, authorizations=[authorization],
        scenario=authorization.scenario,
        data={"name": "学区查询", "description": "按地址查询学区", "kind": "data_service",
              "use": "industry", "fee_form": "per_call", "unit": "次"},
    )  # fmt: skip
    for kind in ("security", "compliance"):
        product_services.product_review_record(
            product=product, actor=users["reviewer"], kind=kind, outcome="passed", reason="通过",
            document=SimpleUploadedFile("review.pdf", b"%PDF-1.4 review", "application/pdf"),
        )  # fmt: skip
    product_services.cap_price_set(
        product=product, actor=users["approver"], amount=Decimal("0.05"), effective_from=today
    )
    product_services.actual_price_set(
        product=product, actor=member, amount=Decimal("0.04"), effective_from=today
    )
    return product


def build_world(permissions: dict[str, list[tuple[str, str]]], tmp_path: Path) -> World:
    department = DepartmentFactory(code="EDU", name="市教育局")
    other_department = DepartmentFactory(code="HEALTH", name="市卫生健康委员会")
    operator = OperatorFactory(name="城市数据运营有限公司")
    other_operator = OperatorFactory(name="另一家运营公司")
    users = _personas(permissions, department, other_department, operator, other_operator)
    member, reviewer, operator_member = (
        users["department_member"], users["reviewer"], users["operator_member"],
    )  # fmt: skip
    cdo_services.cdo_appoint(
        department=department, user=users["department_cdo"], actor=reviewer, title="首席数据官",
        document_number="教〔2026〕1号", term_start=timezone.now() - timedelta(days=10),
    )  # fmt: skip
    published = {"department": department, "actor": member, "status": "published",
                 "reviewer": reviewer}  # fmt: skip
    entry = make_entry(**published, fields=FIELDS)
    version = load_rows(entry, make_rows(), tmp_path)
    second_entry = make_entry(**published, title="全市幼儿园基本信息")
    draft = make_entry(department=department, actor=member, title="全市教师基本信息")
    qualify(operator, operator_member, reviewer)
    qualify(other_operator, users["other_operator_member"], reviewer)
    scenario = authorization_services.scenario_create(
        operator=operator, actor=operator_member,
        data={"title": "学区房智能推荐", "sector": "education", "description": "为家庭推荐学区",
              "expected_product": "学区查询服务", "use": "industry"},
    )  # fmt: skip
    granted = _application(operator, operator_member, entry, scenario, GRANTED)
    authorization = _authorization(granted, users)
    period = previous_period(current_period())
    report = revenue_services.revenue_report_submit(
        operator=operator, actor=operator_member, authorization=authorization, period=period,
        amount=Decimal("1000.00"), reference="INV-001",
        attachment=SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 invoice", "application/pdf"),
    )  # fmt: skip
    registration = _registration(entry, member, reviewer)
    product = _product(authorization, users)
    product_application = registration_services.registration_apply(
        product=product, actor=operator_member, kind="first", summary="摘要",
        documents=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 registration", "application/pdf")],
    )  # fmt: skip
    last_year = timezone.localdate().year - 1
    disclosure = product_services.disclosure_prepare(
        year=last_year, operator=operator, actor=operator_member
    )
    published = product_services.disclosure_publish(
        disclosure=product_services.disclosure_prepare(
            year=last_year, operator=None, actor=users["approver"]
        ),
        actor=users["approver"],
    )
    key, raw = api_services.api_key_create(actor=users["operator_admin"], name="matrix")
    rival_admin = UserFactory(username="rival_admin", operator=other_operator,
                              organisation_role="admin")  # fmt: skip
    _rival_key, rival_raw = api_services.api_key_create(actor=rival_admin, name="rival")
    return World(
        users=users, entry=entry, draft=draft, version=version,
        application=_application(
            operator, operator_member, second_entry, scenario, ["school_name", "district"]
        ),
        authorization=authorization,
        qualification=Qualification.objects.filter(operator=operator).earliest("pk"),
        report=report, operator=operator, key_pk=key.pk, year=period.year,
        registration=registration, product=product, product_application=product_application,
        disclosure=disclosure, published=published,
        notification_pk=Notification.objects.get(
            recipient=users["operator_admin"], kind=Kind.API_KEY_CREATED
        ).pk,
        keys={"operator_admin": raw, "operator_member": raw, "other_operator_member": rival_raw},
    )  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, bureau_group_permissions, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at its end."""
    media = tmp_path_factory.mktemp("matrix-media")
    settings = override_settings(MEDIA_ROOT=media, API_KEY_RATE="1000000/min")
    with django_db_blocker.unblock(), settings, transaction.atomic():
        cache.clear()
        yield build_world(bureau_group_permissions, tmp_path_factory.mktemp("matrix-rows"))
        transaction.set_rollback(True)


# Discovery -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    route: str  # the full route as the resolver spells it
    name: str  # "namespace:name", or "" when the pattern has none

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def has_parameters(self) -> bool:
        return "<" in self.route or "(" in self.route


def _walk(patterns: list[Any], route: str = "", namespace: str = "") -> Iterator[Page]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield Page(route + str(pattern.pattern), name)


def discovered_pages() -> list[Page]:
    return list(_walk(get_resolver().url_patterns))


@functools.cache
def discovered_operations() -> tuple[str, ...]:
    """Every operation of the OpenAPI schema, as "METHOD /path/{parameter}/"."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    methods = {"get", "post", "put", "patch", "delete"}
    return tuple(
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in methods
    )


def _openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def web_pages() -> list[Page]:
    """Pages outside the admin that are not API operations (those come from the schema)."""
    api_paths = {operation.split(" ", 1)[1] for operation in discovered_operations()}
    return [
        page
        for page in discovered_pages()
        if not page.is_admin and _openapi_path(page.route) not in api_paths
    ]


# Requests ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    label: str  # the URL name or API operation, for the failure message
    expected: str
    extra: dict[str, Any]


def outcome(response: HttpResponseBase) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith(reverse("login")):
            return LOGIN
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        return REDIRECT
    return str(response.status_code)


def fetch(client: Client, method: str, path: str, **extra: Any) -> tuple[int, str]:
    """One request in a savepoint of its own, so that what it changes is undone; the client
    keeps the session it had (a logout or a rotated session is undone too)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        send = client.get if method == "GET" else client.post
        response = send(path, **extra)
        status = response.status_code
        try:
            # A streamed body is made after the view returns: make it here. (The test client
            # closes every response itself; closing it again would close the connection.)
            if response.streaming:
                b"".join(response.streaming_content)  # type: ignore[attr-defined]
        except Exception:
            status = 500
        transaction.set_rollback(True)
    client.cookies = cookies
    return status, outcome(response) if status < 500 else str(status)


def client_of(world: World, persona: str) -> Client:
    cache.clear()  # throttle counters and cached exports of earlier tests
    # A view's exception becomes the 500 its user would see, so every one is reported.
    client = Client(raise_request_exception=False)
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    return client


def page_calls(world: World, persona: str) -> Iterator[Call]:
    for page in web_pages():
        if page.name not in PAGES:
            continue  # reported by test_every_page_and_operation_has_a_row
        factory = ARGUMENTS.get(page.name)
        path = reverse(page.name, kwargs=factory(world) if factory else None)
        yield Call("GET", path, page.name, PAGES[page.name][persona], {})
        if page.name in POSTS:
            yield Call("POST", path, page.name, POSTS[page.name][persona], {"data": {}})


def api_calls(world: World, persona: str) -> Iterator[Call]:
    key = world.keys.get(persona)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    for operation in discovered_operations():
        if operation not in API:
            continue  # reported by test_every_page_and_operation_has_a_row
        method, template = operation.split(" ", 1)
        path = re.sub(r"\{(\w+)\}", lambda match: API_ARGUMENTS[match[1]](world), template)
        extra: dict[str, Any] = {"headers": headers}
        if method != "GET":
            extra.update(data={}, content_type="application/json")
        yield Call(method, path, operation, API[operation][persona], extra)


# The tests -----------------------------------------------------------------------------------


def _table_problems(page: Page) -> list[str]:
    where = f"URL {page.name!r} (/{page.route})"
    if not page.name:
        return [f"URL /{page.route} has no name: name it and add a row to PAGES"]
    problems = []
    if page.name not in PAGES:
        problems.append(f"{where} has no row: add PAGES[{page.name!r}]")
    elif page.name not in POSTS and NOT_ALLOWED in PAGES[page.name].values():
        problems.append(f"{where} is POST-only: add POSTS[{page.name!r}] (a POST of empty data)")
    if page.has_parameters and page.name not in ARGUMENTS:
        problems.append(f"{where} takes arguments: add ARGUMENTS[{page.name!r}]")
    return problems


def test_every_page_and_operation_has_a_row():
    pages = web_pages()
    problems = [problem for page in pages for problem in _table_problems(page)]
    operations = discovered_operations()
    for operation in operations:
        if operation not in API:
            problems.append(f"API operation {operation!r} has no row: add API[{operation!r}]")
        for parameter in re.findall(r"\{(\w+)\}", operation):
            if parameter not in API_ARGUMENTS:
                problems.append(f"API parameter {parameter!r}: add API_ARGUMENTS[{parameter!r}]")
    stale = (set(PAGES) | set(POSTS) | set(ARGUMENTS)) - {page.name for page in pages}
    stale |= set(API) - set(operations)
    problems += [f"{name!r} has a row but is no URL or operation any more" for name in stale]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_access_matrix(world, persona, db):
    client = client_of(world, persona)
    problems = []
    for call in [*page_calls(world, persona), *api_calls(world, persona)]:
        status, got = fetch(client, call.method, call.path, **call.extra)
        what = f"{call.method} {call.path} ({call.label}) as {persona}"
        if status >= 500:
            problems.append(f"{what}: SERVER ERROR {status}")
        elif got != call.expected:
            problems.append(f"{what}: expected {call.expected}, got {got}")
    assert not problems, "\n".join(problems)


# The admin -----------------------------------------------------------------------------------

# What someone who is not bureau staff gets besides the redirect to the admin's login.
ADMIN_FOR_OTHERS = {
    "admin:login": OK,  # the login form itself
    "admin:logout": REDIRECT,  # to the admin index, which sends them to the login
}
ADMIN_DECISION = "reject"  # a decision of the admin's decide/<decision>/ pages


def _admin_object(route: str) -> Any:
    """The first object of the model an admin route is about, if any."""
    match = re.match(r"admin/(\w+)/(\w+)/", route)
    if match is None:
        return None
    try:
        model = django_apps.get_model(match[1], match[2])
    except LookupError:
        return None
    return model._default_manager.order_by("pk").first()


def _history_id(obj: Any) -> str:
    history = getattr(obj, "history", None)
    version = history.order_by("history_id").first() if history is not None else None
    return str(version.history_id) if version is not None else "1"


def admin_path(route: str) -> str:
    """A concrete path for an admin route, naming real objects where there are some."""
    obj = _admin_object(route)
    object_id = str(obj.pk) if obj is not None else "1"
    entry = CatalogEntry.objects.order_by("pk").first()
    shortcut = f"{ContentType.objects.get_for_model(CatalogEntry).pk}/{entry.pk if entry else 1}"
    values = iter((object_id, _history_id(obj)))  # simple-history's ^([^/]+)/history/([^/]+)/$
    path = re.sub(r"\(\[\^/\]\+\)", lambda _match: next(values), route)
    path = re.sub(r"\(\?P<app_label>(\w+)[^)]*\)", r"\1", path)
    path = path.replace("(?P<url>.*)", "no-such-page/").replace("^", "").replace("$", "")
    path = path.replace("<path:content_type_id>/<path:object_id>", shortcut)
    path = path.replace("<path:object_id>", object_id).replace("<id>", object_id)
    path = path.replace("<str:decision>", ADMIN_DECISION)
    assert "<" not in path and "(" not in path, f"fill in the admin route /{route} in admin_path"
    return "/" + path


def _admin_problem(persona: str, page: Page, status: int, got: str) -> str | None:
    if status >= 500:
        return f"SERVER ERROR {status}"
    if persona in BUREAU:
        # Staff get 200, 302 or 403 by their permissions; the index they always reach.
        return f"expected {OK}, got {got}" if page.name == "admin:index" and got != OK else None
    expected = ADMIN_FOR_OTHERS.get(page.name, ADMIN_LOGIN)
    return f"expected {expected}, got {got}" if got != expected else None


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_admin(world, persona, db):
    client = client_of(world, persona)
    problems = []
    for page in discovered_pages():
        if page.is_admin:
            path = admin_path(page.route)
            problem = _admin_problem(persona, page, *fetch(client, "GET", path))
            if problem:
                problems.append(f"GET {path} ({page.name or page.route}) as {persona}: {problem}")
    assert not problems, "\n".join(problems)
