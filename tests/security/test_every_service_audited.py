"""Every state-changing service writes an audit entry (issue 16, item 2).

The services are found, not listed: every public function defined in an ``apps.*.services``
module or package. Each one needs either a recipe below (a minimal world, then the call, which
must add an entry of the expected kind) or a place in one of the commented lists of functions
that change no state or are deliberately not audited. A new service in neither fails here: add a
recipe and make it audited.
"""

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_otp.oath import totp
from guardian.shortcuts import remove_perm

import apps
from apps.api import services as api_services
from apps.audit import services as audit_services
from apps.audit.models import AuditEvent, EventKind
from apps.authorizations import services as authorization_services
from apps.authorizations.models import Authorization, CombinationRule, QualificationType
from apps.catalog import services as catalog_services
from apps.cdo import services as cdo_services
from apps.datazone import services as datazone_services
from apps.organisations import services as organisation_services
from apps.products import services as product_services
from apps.registration import services as registration_services
from apps.revenue import services as revenue_services
from apps.revenue.models import CertifiedTransactionAmount, LocalTaxStatus, RevenueShareRecord
from apps.twofactor import services as twofactor_services
from apps.twofactor.demo import demo_totp_code, give_demo_authenticator
from tests.authorizations.conftest import AGREEMENT, apply, scope
from tests.factories import DEFAULT_FIELDS, UserFactory, entry_data, make_credit_code, make_entry
from tests.revenue.conftest import LAST_MONTH, grant, submit  # noqa: F401 - grant is a fixture

# Public functions of services modules that change nothing: checks, validators, reads, helpers.
NOT_STATE_CHANGING = {
    "api.seconds_until_tomorrow",  # arithmetic on a time
    "audit.scrub",  # cleans details before they are written
    "authorizations.authorization_period_check",  # validator
    "authorizations.check_entry_authorizable",  # validator
    "authorizations.may_give_department_opinion",  # a question
    "authorizations.authorization_check_access",  # raises or returns, writes nothing
    "catalog.check_entry_rules",  # validator
    "datazone.worker_heartbeat_latest",  # read
    "datazone.worker_alive",  # read
    "datazone.this_worker",  # a name
    "datazone.check_upload_size",  # validator
    "datazone.check_file_name",  # validator
    "datazone.lock_version",  # SELECT … FOR UPDATE for the services below
    "datazone.mark_claimed",  # sets attributes on an unsaved version
    "revenue.validate_attachment",  # validator
    "revenue.validate_amount",  # validator
    "revenue.revenue_report_period_check",  # validator
    "revenue.one_year_after",  # date arithmetic
    "revenue.first_qualification",  # read
    "revenue.support_window_end",  # date arithmetic
    "authorizations.aggregation_check",  # raises on a forbidden or unjustified combination
    "opendata.address_hash",  # a salted hash of an address
    "registration.registration_in_force",  # read
    "notifications.event_key_for",  # a name for an event
    "notifications.next_digest_time",  # date arithmetic
    "notifications.retry_delay",  # arithmetic
    "notifications.message_id_for",  # a hash
    "products.check_product_data",  # validator
    "products.check_ceiling_figures",  # validator
    "products.carry_over_rule",  # the rule as a sentence
    "products.disclosure_due_on",  # date arithmetic
}

# Steps of the services below, called only by them: their recipes cover what these write.
BUILDING_BLOCKS = {
    "datazone.create_version",  # data_version_upload, data_version_load_file
    "datazone.move_version",  # data_version_rollback, data_versions_archive, the loader
    "datazone.go_live",  # the loader's switch and data_version_confirm
    "datazone.data_version_file_discarded",  # the loader's refusal of a file
    "authorizations.operator_lock",  # SELECT … FOR UPDATE for application_approve
    # application_approve's entry for a justified combination (the confirm recipe's world).
    "authorizations.aggregation_approval_record",
}

# State-changing, deliberately not on the audit log: operational bookkeeping, no decision and no
# security event. Each says where the record of it is instead.
NOT_AUDITED = {
    # Metering of every API call: counted in DailyUsage and UsageRecord themselves; an entry per
    # call would double them and queue every call on the chain head.
    "api.quota_reserve",
    "api.quota_release",
    "api.count_call",
    "api.metering_execute",
    "api.usage_record",
    "api.usage_record_or_buffer",  # the same, kept in memory while the database is away
    "api.usage_buffer_flush",  # writes those records once it is back
    "opendata.open_data_use_record",  # a download or open API call counted (OpenDataUse)
    "opendata.open_download_size_record",  # the size of a whole download (DCAT's byteSize)
    # The worker's own housekeeping; the upload and every change of the live rows are recorded.
    "datazone.worker_heartbeat_record",  # liveness, for the readiness check
    "datazone.data_version_claim_next",  # queued → loading, by the worker
    "datazone.data_versions_recover_abandoned",  # a dead worker's load marked refused
    "datazone.data_versions_failed_files_delete",  # files of refused uploads removed
    "datazone.data_version_indexes_upgrade",  # indexes rebuilt; the rows do not change
    # Signs the newest entry into a checkpoint kept outside the database: about the log itself.
    "audit.audit_checkpoint_create",
    # An unconfirmed authenticator is no change of the user's 2FA; its confirmation is recorded.
    "twofactor.authenticator_pending",
    # Provisional deadlines counted again once the calendar covers them: no decision, recorded in
    # each application's history; the year's arrangement that triggers it is audited.
    "registration.registration_deadlines_recompute",
    # Telling people of a decision that is itself on the log; the rows are the record (the
    # notification and its email's outbox row, with attempts and sent time).
    "notifications.notification_send",
    "notifications.notification_send_to_address",  # an objector's outcome, by email only
    "notifications.outbox_deliver",
    "notifications.digests_deliver",
    # A person's own read marks and mail choices: no decision, nobody else's data.
    "notifications.notifications_mark_read",
    "notifications.notification_preferences_set",
    # Deletes notifications past NOTIFICATION_RETENTION_DAYS; the decisions stay on the log.
    "notifications.notifications_purge",
}


def _services_modules() -> list[Any]:
    modules = []
    for app in pkgutil.iter_modules(apps.__path__):
        try:
            module = importlib.import_module(f"apps.{app.name}.services")
        except ModuleNotFoundError as error:
            if error.name != f"apps.{app.name}.services":
                raise
            continue
        modules.append(module)
        for sub in pkgutil.iter_modules(getattr(module, "__path__", [])):
            modules.append(importlib.import_module(f"{module.__name__}.{sub.name}"))
    return modules


def discovered_services() -> set[str]:
    """``app.function`` for every public function defined in a services module."""
    found = set()
    for module in _services_modules():
        app = module.__name__.split(".")[1]
        for name, value in vars(module).items():
            if (
                inspect.isfunction(value)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found.add(f"{app}.{name}")
    return found


# --- recipes: a minimal world, then the call ------------------------------------------------

Get = Callable[[str], Any]
Recipe = Callable[[Get], Callable[[], object]]
RECIPES: dict[str, tuple[str, Recipe]] = {}


def recipe(name: str, kind: str) -> Callable[[Recipe], Recipe]:
    def register(function: Recipe) -> Recipe:
        RECIPES[name] = (kind, function)
        return function

    return register


@recipe("audit.audit_record", EventKind.DATA_EXPORTED)
def _(get: Get):
    return lambda: audit_services.audit_record(kind=EventKind.DATA_EXPORTED)


@recipe("audit.audit_record_on_commit", EventKind.DATA_EXPORTED)
def _(get: Get):
    return lambda: audit_services.audit_record_on_commit(kind=EventKind.DATA_EXPORTED)


# api


@recipe("api.api_key_create", EventKind.API_KEY_CREATED)
def _(get: Get):
    admin = get("operator_admin")
    return lambda: api_services.api_key_create(actor=admin, name="系统A")


@recipe("api.api_key_revoke", EventKind.API_KEY_REVOKED)
def _(get: Get):
    admin = get("operator_admin")
    key, _raw = api_services.api_key_create(actor=admin, name="系统A")
    return lambda: api_services.api_key_revoke(key=key, actor=admin)


# organisations


@recipe("organisations.operator_create", EventKind.OPERATOR_CREATED)
def _(get: Get):
    get("db")
    return lambda: organisation_services.operator_create(
        name="新运营公司", credit_code=make_credit_code()
    )


# authorizations


@recipe("authorizations.scenario_create", EventKind.SCENARIO_CREATED)
def _(get: Get):
    operator, member = get("operator"), get("operator_member")
    return lambda: authorization_services.scenario_create(
        operator=operator, actor=member,
        data={"title": "学区推荐", "sector": "education", "description": "推荐学区",
              "expected_product": "查询服务", "use": "industry"},
    )  # fmt: skip


def _qualification(get: Get) -> Any:
    today = timezone.localdate()
    return authorization_services.qualification_submit(
        operator=get("operator"), actor=get("operator_member"),
        qualification_type=QualificationType.objects.filter(required=True).first(),
        number="NO-1", document=SimpleUploadedFile("licence.pdf", b"%PDF-1.4", "application/pdf"),
        valid_from=today - timedelta(days=10), valid_until=today + timedelta(days=365),
    )  # fmt: skip


@recipe("authorizations.qualification_submit", EventKind.QUALIFICATION_SUBMITTED)
def _(get: Get):
    get("db")
    return lambda: _qualification(get)


@recipe("authorizations.qualification_review", EventKind.QUALIFICATION_REVIEWED)
def _(get: Get):
    qualification, reviewer = _qualification(get), get("reviewer")
    return lambda: authorization_services.qualification_review(
        qualification=qualification, actor=reviewer, approve=True
    )


def _application(get: Get) -> Any:
    return apply(get("qualified"), get("operator_member"), get("entry"), get("scenario"))


@recipe("authorizations.application_submit", EventKind.APPLICATION_SUBMITTED)
def _(get: Get):
    world = (get("qualified"), get("operator_member"), get("entry"), get("scenario"))
    return lambda: apply(*world)


@recipe("authorizations.application_withdraw", EventKind.APPLICATION_DECIDED)
def _(get: Get):
    application, member = _application(get), get("operator_member")
    return lambda: authorization_services.application_withdraw(
        application=application, actor=member
    )


@recipe("authorizations.application_department_opinion", EventKind.APPLICATION_DECIDED)
def _(get: Get):
    application, admin = _application(get), get("department_admin")
    return lambda: authorization_services.application_department_opinion(
        application=application, actor=admin, agree=True
    )


@recipe("authorizations.application_recommend", EventKind.APPLICATION_DECIDED)
def _(get: Get):
    application = _application(get)
    authorization_services.application_department_opinion(
        application=application, actor=get("department_admin"), agree=True
    )
    reviewer = get("reviewer")
    return lambda: authorization_services.application_recommend(
        application=application, actor=reviewer, recommendation="approve"
    )


@recipe("authorizations.application_approve", EventKind.APPLICATION_DECIDED)
def _(get: Get):
    application, approver = get("recommended"), get("approver")
    return lambda: authorization_services.application_approve(
        application=application, actor=approver, scope=scope(), agreement=AGREEMENT
    )


@recipe("authorizations.application_reject", EventKind.APPLICATION_DECIDED)
def _(get: Get):
    application, approver = get("recommended"), get("approver")
    return lambda: authorization_services.application_reject(
        application=application, actor=approver, reason="不符合"
    )


# Aggregation risk: a rule that needs a justification, and an application that would complete it.
TAGGED = [{"name": "citizen_id", "label": "身份证号", "data_type": "string",
           "sensitivity": "personal", "tags": ["personal_identifier"]}]  # fmt: skip
HEALTH = [{"name": "diagnosis", "label": "诊断", "data_type": "string",
           "sensitivity": "sensitive_personal", "tags": ["health"]}]  # fmt: skip


def _rule(get: Get, effect: str = "needs_justification") -> CombinationRule:
    rule = CombinationRule(name="身份与健康", tags=["personal_identifier", "health"], effect=effect)
    authorization_services.combination_rule_save(rule=rule, actor=get("approver"))
    return rule


def _application_completing_a_rule(get: Get) -> Any:
    made = {}
    for name, fields in (("identity", TAGGED), ("health", HEALTH)):
        made[name] = make_entry(
            department=get("department"), actor=get("department_member"), status="published",
            reviewer=get("reviewer"), fields=fields, title=f"条目{name}",
        )  # fmt: skip
    for name, field in (("identity", "citizen_id"), ("health", "diagnosis")):
        application = apply(get("qualified"), get("operator_member"), made[name], get("scenario"),
                            requested_fields=[field])  # fmt: skip
        authorization_services.application_department_opinion(
            application=application, actor=get("department_admin"), agree=True
        )
        authorization_services.application_recommend(
            application=application, actor=get("reviewer"), recommendation="approve"
        )
        if name == "identity":
            authorization_services.application_approve(
                application=application, actor=get("approver"),
                scope=scope(allowed_fields=[field]), agreement=AGREEMENT,
            )  # fmt: skip
    _rule(get)
    return application


def _second_approver(get: Get) -> Any:
    return UserFactory(username="approver2", bureau=get("approver").bureau, is_staff=True,
                       organisation_role="member", groups=["approver"])  # fmt: skip


@recipe("authorizations.combination_rule_save", EventKind.COMBINATION_RULE_CHANGED)
def _(get: Get):
    get("approver")
    return lambda: _rule(get, "forbidden")


@recipe("authorizations.aggregation_justification_propose", EventKind.APPLICATION_DECIDED)
def _(get: Get):
    application, approver = _application_completing_a_rule(get), get("approver")
    return lambda: authorization_services.aggregation_justification_propose(
        application=application, actor=approver, text="慢病随访须关联到人"
    )


@recipe("authorizations.aggregation_justification_confirm", EventKind.APPLICATION_DECIDED)
def _(get: Get):
    application = _application_completing_a_rule(get)
    authorization_services.aggregation_justification_propose(
        application=application, actor=get("approver"), text="慢病随访须关联到人"
    )
    second = _second_approver(get)
    return lambda: authorization_services.aggregation_justification_confirm(
        application=application, actor=second
    )


@recipe("catalog.catalog_field_tags_set", EventKind.CATALOG_ENTRY_CHANGED)
def _(get: Get):
    entry = make_entry(department=get("department"), actor=get("department_member"),
                       status="published", reviewer=get("reviewer"))  # fmt: skip
    field = entry.fields.order_by("pk").first()
    reviewer = get("reviewer")
    return lambda: catalog_services.catalog_field_tags_set(
        entry=entry, actor=reviewer, tags={field.name: ["exact_location"]}
    )


def _permission_taken(get: Get) -> Authorization:
    authorization = get("authorization")
    remove_perm("query_catalogentry", authorization.operator.group, authorization.entry)
    return authorization


@recipe("authorizations.authorization_sync_permission", EventKind.PERMISSION_GRANTED)
def _(get: Get):
    authorization = _permission_taken(get)
    return lambda: authorization_services.authorization_sync_permission(
        operator=authorization.operator, entry=authorization.entry
    )


@recipe("authorizations.operator_sync_permissions", EventKind.PERMISSION_GRANTED)
def _(get: Get):
    authorization = _permission_taken(get)
    return lambda: authorization_services.operator_sync_permissions(operator=authorization.operator)


@recipe("authorizations.authorization_suspend", EventKind.AUTHORIZATION_CHANGED)
def _(get: Get):
    authorization, approver = get("authorization"), get("approver")
    return lambda: authorization_services.authorization_suspend(
        authorization=authorization, actor=approver, reason="安全检查"
    )


@recipe("authorizations.authorization_resume", EventKind.AUTHORIZATION_CHANGED)
def _(get: Get):
    authorization, approver = get("authorization"), get("approver")
    authorization_services.authorization_suspend(
        authorization=authorization, actor=approver, reason="安全检查"
    )
    return lambda: authorization_services.authorization_resume(
        authorization=authorization, actor=approver, reason="检查完毕"
    )


@recipe("authorizations.authorization_revoke", EventKind.AUTHORIZATION_CHANGED)
def _(get: Get):
    authorization, approver = get("authorization"), get("approver")
    return lambda: authorization_services.authorization_revoke(
        authorization=authorization, actor=approver, reason="违规使用"
    )


@recipe("authorizations.authorizations_expire", EventKind.AUTHORIZATION_CHANGED)
def _(get: Get):
    authorization = get("authorization")
    now = timezone.now()
    Authorization.objects.filter(pk=authorization.pk).update(
        valid_from=now - timedelta(days=2), valid_until=now - timedelta(days=1)
    )
    return lambda: authorization_services.authorizations_expire()


# catalog


@recipe("catalog.catalog_entry_create", EventKind.CATALOG_ENTRY_CHANGED)
def _(get: Get):
    department, member = get("department"), get("department_member")
    return lambda: catalog_services.catalog_entry_create(
        department=department, actor=member, data=entry_data(), fields=DEFAULT_FIELDS
    )


def _draft(get: Get) -> Any:
    return make_entry(department=get("department"), actor=get("department_member"))


@recipe("catalog.catalog_entry_update", EventKind.CATALOG_ENTRY_CHANGED)
def _(get: Get):
    entry, member = _draft(get), get("department_member")
    return lambda: catalog_services.catalog_entry_update(
        entry=entry, actor=member, data=entry_data(title="新标题"), fields=DEFAULT_FIELDS
    )


@recipe("catalog.catalog_entry_transition", EventKind.CATALOG_ENTRY_CHANGED)
def _(get: Get):
    entry, member = _draft(get), get("department_member")
    return lambda: catalog_services.catalog_entry_transition(
        entry=entry, actor=member, to_status="submitted", comment=""
    )


@recipe("catalog.catalog_entry_submit", EventKind.CATALOG_ENTRY_CHANGED)
def _(get: Get):
    entry, member = _draft(get), get("department_member")
    return lambda: catalog_services.catalog_entry_submit(entry=entry, actor=member)


def _awaiting_cdo(get: Get) -> tuple[Any, Any]:
    department = get("department")
    department.submissions_need_cdo_confirmation = True
    department.save()
    cdo = UserFactory(username="cdo", department=department, organisation_role="member")
    cdo_services.cdo_appoint(
        department=department, user=cdo, actor=get("reviewer"), title="首席数据官",
        document_number="教〔2026〕1号", term_start=timezone.now(),
    )  # fmt: skip
    entry = _draft(get)
    catalog_services.catalog_entry_submit(entry=entry, actor=get("department_member"))
    return entry, cdo


@recipe("catalog.catalog_entry_confirm", EventKind.CATALOG_ENTRY_DECIDED)
def _(get: Get):
    entry, cdo = _awaiting_cdo(get)
    return lambda: catalog_services.catalog_entry_confirm(entry=entry, actor=cdo)


@recipe("catalog.catalog_entry_cdo_return", EventKind.CATALOG_ENTRY_DECIDED)
def _(get: Get):
    entry, cdo = _awaiting_cdo(get)
    return lambda: catalog_services.catalog_entry_cdo_return(entry=entry, actor=cdo, comment="补")


def _submitted(get: Get) -> Any:
    return make_entry(
        department=get("department"), actor=get("department_member"), status="submitted"
    )


@recipe("catalog.catalog_entry_publish", EventKind.CATALOG_ENTRY_DECIDED)
def _(get: Get):
    entry, reviewer = _submitted(get), get("reviewer")
    return lambda: catalog_services.catalog_entry_publish(entry=entry, actor=reviewer)


@recipe("catalog.catalog_entry_return", EventKind.CATALOG_ENTRY_DECIDED)
def _(get: Get):
    entry, reviewer = _submitted(get), get("reviewer")
    return lambda: catalog_services.catalog_entry_return(entry=entry, actor=reviewer, comment="补")


@recipe("catalog.catalog_entry_reject", EventKind.CATALOG_ENTRY_DECIDED)
def _(get: Get):
    entry, reviewer = _submitted(get), get("reviewer")
    return lambda: catalog_services.catalog_entry_reject(entry=entry, actor=reviewer, comment="重")


@recipe("catalog.catalog_entry_retire", EventKind.CATALOG_ENTRY_DECIDED)
def _(get: Get):
    entry, reviewer = get("entry"), get("reviewer")  # published
    return lambda: catalog_services.catalog_entry_retire(entry=entry, actor=reviewer, comment="停")


# cdo


def _appoint(get: Get) -> Any:
    department = get("department")
    user = UserFactory(username="cdo", department=department, organisation_role="member")
    return cdo_services.cdo_appoint(
        department=department, user=user, actor=get("reviewer"), title="首席数据官",
        document_number="教〔2026〕1号", term_start=timezone.now() - timedelta(days=1),
    )  # fmt: skip


@recipe("cdo.cdo_appoint", EventKind.CDO_CHANGED)
def _(get: Get):
    get("department"), get("reviewer")
    return lambda: _appoint(get)


@recipe("cdo.cdo_end", EventKind.CDO_CHANGED)
def _(get: Get):
    assignment, reviewer = _appoint(get), get("reviewer")
    return lambda: cdo_services.cdo_end(assignment=assignment, actor=reviewer, reason="调任")


# datazone

ROWS = b"school_name,district,students\n\xe4\xb8\x80\xe4\xb8\xad,\xe5\x8d\x97\xe6\x98\x8e,900\n"


def _csv() -> SimpleUploadedFile:
    return SimpleUploadedFile("rows.csv", ROWS, "text/csv")


def _load(get: Get) -> Any:
    path = get("tmp_path") / "rows.csv"
    path.write_bytes(ROWS)
    return datazone_services.data_version_load_file(entry=get("entry"), path=path)


@recipe("datazone.data_version_upload", EventKind.DATA_VERSION_CHANGED)
def _(get: Get):
    entry, member = get("entry"), get("department_member")
    return lambda: datazone_services.data_version_upload(entry=entry, actor=member, file=_csv())


@recipe("datazone.data_version_load_file", EventKind.DATA_VERSION_CHANGED)
def _(get: Get):
    get("entry")
    return lambda: _load(get)


@recipe("datazone.data_version_process", EventKind.DATA_VERSION_CHANGED)
def _(get: Get):
    datazone_services.data_version_upload(
        entry=get("entry"), actor=get("department_member"), file=_csv()
    )
    version = datazone_services.data_version_claim_next()
    return lambda: datazone_services.data_version_process(version=version)


@recipe("datazone.data_version_rollback", EventKind.DATA_VERSION_CHANGED)
def _(get: Get):
    first = _load(get)
    _load(get)
    reviewer = get("reviewer")
    return lambda: datazone_services.data_version_rollback(
        version=first, actor=reviewer, reason="新版本有误"
    )


def _held(get: Get) -> Any:
    member = get("department_member")
    rows = ROWS + b"".join(f"{n}中,南明,1\n".encode() for n in range(2, 6))
    for content in (rows, ROWS):
        path = get("tmp_path") / "rows.csv"
        path.write_bytes(content)
        version = datazone_services.data_version_load_file(
            entry=get("entry"), path=path, actor=member
        )
    return version, member


@recipe("datazone.data_version_confirm", EventKind.DATA_VERSION_CHANGED)
def _(get: Get):
    version, member = _held(get)
    return lambda: datazone_services.data_version_confirm(version=version, actor=member)


@recipe("datazone.data_version_discard", EventKind.DATA_VERSION_CHANGED)
def _(get: Get):
    version, member = _held(get)
    return lambda: datazone_services.data_version_discard(version=version, actor=member)


@recipe("datazone.data_versions_archive", EventKind.DATA_VERSION_CHANGED)
def _(get: Get):
    _load(get)
    _load(get)
    return lambda: datazone_services.data_versions_archive(keep=0)


# revenue


def _revenue_authorization(get: Get) -> Authorization:
    return get("grant")(get("qualified"), get("operator_member"), get("entry"))


@recipe("revenue.revenue_report_submit", EventKind.REVENUE_REPORT_CHANGED)
def _(get: Get):
    authorization, member = _revenue_authorization(get), get("operator_member")
    return lambda: submit(authorization, member)


@recipe("revenue.revenue_report_verify", EventKind.REVENUE_REPORT_CHANGED)
def _(get: Get):
    report = submit(_revenue_authorization(get), get("operator_member"))
    reviewer = get("reviewer")
    return lambda: revenue_services.revenue_report_verify(report=report, actor=reviewer)


@recipe("revenue.revenue_report_return", EventKind.REVENUE_REPORT_CHANGED)
def _(get: Get):
    report = submit(_revenue_authorization(get), get("operator_member"))
    reviewer = get("reviewer")
    return lambda: revenue_services.revenue_report_return(
        report=report, actor=reviewer, reason="发票不清"
    )


@recipe("revenue.revenue_report_correct", EventKind.REVENUE_REPORT_CHANGED)
def _(get: Get):
    member = get("operator_member")
    report = submit(_revenue_authorization(get), member)
    revenue_services.revenue_report_return(report=report, actor=get("reviewer"), reason="发票")
    return lambda: revenue_services.revenue_report_correct(
        report=report, actor=member, amount=Decimal("1200.00"), reference="INV-002"
    )


def _verified(get: Get) -> None:
    report = submit(_revenue_authorization(get), get("operator_member"))
    revenue_services.revenue_report_verify(report=report, actor=get("reviewer"))


@recipe("revenue.settlement_run", EventKind.SETTLEMENT_RUN)
def _(get: Get):
    _verified(get)
    reviewer = get("reviewer")
    return lambda: revenue_services.settlement_run(period=LAST_MONTH, actor=reviewer)


@recipe("revenue.revenue_share_adjust", EventKind.REVENUE_SHARE_ADJUSTED)
def _(get: Get):
    _verified(get)
    revenue_services.settlement_run(period=LAST_MONTH, actor=get("reviewer"))
    record, approver = RevenueShareRecord.objects.get(), get("approver")
    return lambda: revenue_services.revenue_share_adjust(
        record=record, corrected_amount=Decimal("1500.00"), reason="发票更正", actor=approver
    )


@recipe("revenue.transaction_support_compute", EventKind.TRANSACTION_SUPPORT_GRANTED)
def _(get: Get):
    operator = get("operator")
    LocalTaxStatus.objects.create(operator=operator, pays_tax_locally=True)
    CertifiedTransactionAmount.objects.create(
        operator=operator, year=2025, amount=Decimal("6000000"), certified_on=date(2026, 1, 20)
    )
    return lambda: revenue_services.transaction_support_compute(year=2025, actor=None)


# products


def _product(get: Get) -> Any:
    from tests.products.conftest import submit_product

    return submit_product(_revenue_authorization(get), get("operator_member"))


def _offered_product(get: Get) -> Any:
    from tests.products.conftest import offer

    return offer(_product(get), get("reviewer"))


@recipe("products.product_submit", EventKind.PRODUCT_CHANGED)
def _(get: Get):
    from tests.products.conftest import submit_product

    authorization, member = _revenue_authorization(get), get("operator_member")
    return lambda: submit_product(authorization, member)


@recipe("products.product_review_record", EventKind.PRODUCT_DECIDED)
def _(get: Get):
    from tests.products.conftest import review

    product, reviewer = _product(get), get("reviewer")
    return lambda: review(product, reviewer, "security")


@recipe("products.product_resubmit", EventKind.PRODUCT_CHANGED)
def _(get: Get):
    from tests.products.conftest import review

    product, member = _product(get), get("operator_member")
    review(product, get("reviewer"), "security", "failed")
    return lambda: product_services.product_resubmit(
        product=product, actor=member, description="改进后"
    )


@recipe("products.product_withdraw", EventKind.PRODUCT_DECIDED)
def _(get: Get):
    product, reviewer = _offered_product(get), get("reviewer")
    return lambda: product_services.product_withdraw(product=product, actor=reviewer, reason="隐患")


@recipe("products.products_withdraw_with", EventKind.PRODUCT_DECIDED)
def _(get: Get):
    product, approver = _offered_product(get), get("approver")
    authorization = product.authorizations.get()
    return lambda: product_services.products_withdraw_with(authorization, approver, "暂停")


@recipe("products.cap_price_set", EventKind.PRICE_SET)
def _(get: Get):
    product, approver = _offered_product(get), get("approver")
    return lambda: product_services.cap_price_set(
        product=product, actor=approver, amount=Decimal("1.00"),
        effective_from=timezone.localdate(),
    )  # fmt: skip


@recipe("products.actual_price_set", EventKind.PRICE_SET)
def _(get: Get):
    product, member = _offered_product(get), get("operator_member")
    product_services.cap_price_set(
        product=product, actor=get("approver"), amount=Decimal("1.00"),
        effective_from=timezone.localdate(),
    )  # fmt: skip
    return lambda: product_services.actual_price_set(
        product=product, actor=member, amount=Decimal("0.90"), effective_from=timezone.localdate()
    )


def _ceiling(get: Get) -> Any:
    from tests.products.test_ceilings import propose

    return propose(get("operator"), get("operator_member"))


@recipe("products.ceiling_propose", EventKind.REVENUE_CEILING_CHANGED)
def _(get: Get):
    return lambda: _ceiling(get)


@recipe("products.ceiling_correct", EventKind.REVENUE_CEILING_CHANGED)
def _(get: Get):
    from tests.products.test_ceilings import figures

    ceiling, member = _ceiling(get), get("operator_member")
    product_services.ceiling_return(ceiling=ceiling, actor=get("reviewer"), reason="补充依据")
    return lambda: product_services.ceiling_correct(
        ceiling=ceiling, actor=member, figures=figures()
    )


@recipe("products.ceiling_check", EventKind.REVENUE_CEILING_DECIDED)
def _(get: Get):
    ceiling, reviewer = _ceiling(get), get("reviewer")
    return lambda: product_services.ceiling_check(ceiling=ceiling, actor=reviewer)


@recipe("products.ceiling_return", EventKind.REVENUE_CEILING_DECIDED)
def _(get: Get):
    ceiling, reviewer = _ceiling(get), get("reviewer")
    return lambda: product_services.ceiling_return(ceiling=ceiling, actor=reviewer, reason="不全")


def _checked(get: Get) -> Any:
    ceiling = _ceiling(get)
    return product_services.ceiling_check(ceiling=ceiling, actor=get("reviewer"))


@recipe("products.ceiling_approve", EventKind.REVENUE_CEILING_DECIDED)
def _(get: Get):
    ceiling, approver = _checked(get), get("approver")
    return lambda: product_services.ceiling_approve(ceiling=ceiling, actor=approver)


@recipe("products.revenue_ceiling_carry_over", EventKind.REVENUE_CEILING_DECIDED)
def _(get: Get):
    from tests.products.test_ceilings import figures

    authorization, member, approver = (
        _revenue_authorization(get), get("operator_member"), get("approver"),
    )  # fmt: skip
    zero = {name: Decimal("0.00") for name in ("cost_platform", "cost_transmission",
            "cost_processing", "cost_other", "subsidies", "tax", "profit_rate")}  # fmt: skip
    ceiling = product_services.ceiling_propose(
        operator=authorization.operator, actor=member, year=LAST_MONTH.year,
        figures=figures(**zero, cost_labour=Decimal("10.00")),
    )  # fmt: skip
    product_services.ceiling_check(ceiling=ceiling, actor=get("reviewer"))
    product_services.ceiling_approve(ceiling=ceiling, actor=approver)
    _verified_for(get, authorization)
    return lambda: product_services.revenue_ceiling_carry_over(ceiling=ceiling, actor=approver)


def _verified_for(get: Get, authorization: Authorization) -> Any:
    report = submit(authorization, get("operator_member"))
    return revenue_services.revenue_report_verify(report=report, actor=get("reviewer"))


@recipe("products.product_revenue_record", EventKind.REVENUE_REPORT_CHANGED)
def _(get: Get):
    product, member = _offered_product(get), get("operator_member")
    report = submit(product.authorizations.get(), member)
    return lambda: product_services.product_revenue_record(
        report=report, product=product, actor=member, amount=Decimal("400.00")
    )


@recipe("products.disclosure_prepare", EventKind.DISCLOSURE_CHANGED)
def _(get: Get):
    member = get("operator_member")
    return lambda: product_services.disclosure_prepare(
        year=LAST_MONTH.year, operator=member.operator, actor=member
    )


@recipe("products.disclosures_open", EventKind.DISCLOSURE_CHANGED)
def _(get: Get):
    _revenue_authorization(get)
    return lambda: product_services.disclosures_open(year=timezone.localdate().year - 1)


@recipe("products.disclosure_publish", EventKind.DISCLOSURE_CHANGED)
def _(get: Get):
    approver = get("approver")
    disclosure = product_services.disclosure_prepare(
        year=timezone.localdate().year - 1, operator=None, actor=approver
    )
    return lambda: product_services.disclosure_publish(disclosure=disclosure, actor=approver)


# twofactor


@recipe("twofactor.authenticator_confirm", EventKind.TWOFACTOR_CHANGED)
def _(get: Get):
    user = get("reviewer")
    device = twofactor_services.authenticator_pending(user=user)
    return lambda: twofactor_services.authenticator_confirm(
        user=user, device=device, code=f"{totp(device.bin_key):06d}"
    )


@recipe("twofactor.recovery_codes_replace", EventKind.TWOFACTOR_CHANGED)
def _(get: Get):
    user = get("reviewer")
    return lambda: twofactor_services.recovery_codes_replace(user=user)


@recipe("twofactor.second_factor_verify", EventKind.TWOFACTOR_PASSED)
def _(get: Get):
    user = get("reviewer")
    give_demo_authenticator(user)
    return lambda: twofactor_services.second_factor_verify(user=user, code=demo_totp_code())


# Registration: a published conditional entry; the real clock (deadlines may be provisional).


def _registration_application(get: Get, *, notice: bool = False) -> Any:
    member, reviewer = get("department_member"), get("reviewer")
    entry = make_entry(
        department=member.department, actor=member, status="published", reviewer=reviewer
    )
    application = registration_services.registration_apply(
        entry=entry, actor=member, kind="first", summary="摘要",
        documents=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf")],
    )  # fmt: skip
    if notice:
        registration_services.registration_accept(application=application, actor=reviewer)
        registration_services.registration_open_notice(application=application, actor=reviewer)
    return application


def _ended_notice(get: Get) -> Any:
    application = _registration_application(get, notice=True)
    today = timezone.localdate()
    type(application).objects.filter(pk=application.pk).update(
        notice_starts=today - timedelta(days=20), notice_ends=today - timedelta(days=1)
    )
    return application


OBJECTION = {"name": "李四", "contact": "13800000000", "reasons": "不符"}


@recipe("registration.registration_apply", EventKind.REGISTRATION_CHANGED)
def _(get: Get):
    return lambda: _registration_application(get)


@recipe("registration.registration_accept", EventKind.REGISTRATION_DECIDED)
def _(get: Get):
    application, reviewer = _registration_application(get), get("reviewer")
    return lambda: registration_services.registration_accept(
        application=application, actor=reviewer
    )


@recipe("registration.registration_request_materials", EventKind.REGISTRATION_DECIDED)
def _(get: Get):
    application, reviewer = _registration_application(get), get("reviewer")
    return lambda: registration_services.registration_request_materials(
        application=application, actor=reviewer, reason="缺材料"
    )


@recipe("registration.registration_resubmit", EventKind.REGISTRATION_CHANGED)
def _(get: Get):
    application, reviewer = _registration_application(get), get("reviewer")
    registration_services.registration_request_materials(
        application=application, actor=reviewer, reason="缺材料"
    )
    return lambda: registration_services.registration_resubmit(
        application=application, actor=get("department_member"), summary="",
        documents=[SimpleUploadedFile("b.pdf", b"%PDF-1.4 y", "application/pdf")],
    )  # fmt: skip


@recipe("registration.registration_refuse", EventKind.REGISTRATION_DECIDED)
def _(get: Get):
    application, reviewer = _registration_application(get), get("reviewer")
    return lambda: registration_services.registration_refuse(
        application=application, actor=reviewer, reason="不予登记"
    )


@recipe("registration.registration_open_notice", EventKind.REGISTRATION_DECIDED)
def _(get: Get):
    application, reviewer = _registration_application(get), get("reviewer")
    registration_services.registration_accept(application=application, actor=reviewer)
    return lambda: registration_services.registration_open_notice(
        application=application, actor=reviewer
    )


@recipe("registration.registration_conclude", EventKind.REGISTRATION_DECIDED)
def _(get: Get):
    application, reviewer = _ended_notice(get), get("reviewer")
    return lambda: registration_services.registration_conclude(
        application=application, actor=reviewer
    )


@recipe("registration.registration_expire", EventKind.REGISTRATION_DECIDED)
def _(get: Get):
    application, reviewer = _ended_notice(get), get("reviewer")
    registration_services.registration_conclude(application=application, actor=reviewer)
    later = timezone.localdate() + timedelta(days=3 * 366 + 1)
    return lambda: registration_services.registration_expire(today=later)


@recipe("registration.objection_file", EventKind.REGISTRATION_CHANGED)
def _(get: Get):
    application = _registration_application(get, notice=True)
    return lambda: registration_services.objection_file(
        application=application, actor=None, data=OBJECTION
    )


def _objection(get: Get) -> Any:
    application = _registration_application(get, notice=True)
    return registration_services.objection_file(application=application, actor=None, data=OBJECTION)


@recipe("registration.objection_dismiss", EventKind.REGISTRATION_DECIDED)
def _(get: Get):
    objection, reviewer = _objection(get), get("reviewer")
    return lambda: registration_services.objection_dismiss(
        objection=objection, actor=reviewer, reason="不成立"
    )


@recipe("registration.objection_uphold", EventKind.REGISTRATION_DECIDED)
def _(get: Get):
    objection, reviewer = _objection(get), get("reviewer")
    return lambda: registration_services.objection_uphold(
        objection=objection, actor=reviewer, reason="成立"
    )


@recipe("registration.year_arrangement_save", EventKind.REGISTRATION_DECIDED)
def _(get: Get):
    reviewer = get("reviewer")
    return lambda: registration_services.year_arrangement_save(
        actor=reviewer, year=2027, holidays=["2027-01-01"], working_days=[], announcement="通知"
    )


# --- the tests ------------------------------------------------------------------------------

EXEMPT = NOT_STATE_CHANGING | BUILDING_BLOCKS | NOT_AUDITED


def test_every_service_has_a_recipe_or_a_stated_exemption():
    missing = discovered_services() - EXEMPT - set(RECIPES)
    assert not missing, f"add a recipe and make it audited: {sorted(missing)}"


def test_the_lists_name_only_services_that_exist():
    listed = EXEMPT | set(RECIPES)
    assert not listed - discovered_services()
    assert not EXEMPT & set(RECIPES)


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_the_service_writes_an_audit_entry(name, db, request, commit):
    kind, make = RECIPES[name]
    action = make(request.getfixturevalue)
    before = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    with commit():
        action()
    written = AuditEvent.objects.filter(sequence__gt=before or 0)
    assert kind in set(written.values_list("kind", flat=True)), f"{name} wrote no {kind} entry"
