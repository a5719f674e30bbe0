"""Schemathesis over the live OpenAPI schema, through the WSGI app: whatever a client sends to an
operator endpoint, the answer is never a server error (issue 6, "Tests").

Written against schemathesis 4.32.5 (`schemathesis.openapi.from_wsgi`, `APIOperation.as_strategy`,
`Case.call` / `Case.validate_response`). Bounded: each operation gets 20 schema-valid requests
(with the real dataset and authorization, so they reach the parsing and the SQL, not only the
404) and 10 schema-violating ones, derandomized so a run is reproducible. Filter names are free
in the schema, so a second, plain Hypothesis test throws random values at every granted field
and operator.
"""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from apps.authorizations.models import Authorization
from tests.api.conftest import GRANTED, url

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import CHECKS, load_all_checks  # noqa: E402

EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 10}
BOUNDED = hypothesis_settings(
    deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
# Every operation the schema describes; the test fails when one is added without being listed.
OPERATIONS = {
    ("GET", "/api/v1/catalog/"), ("GET", "/api/v1/catalog/{identifier}/"),
    ("GET", "/api/v1/datasets/"), ("GET", "/api/v1/datasets/{identifier}/"),
    ("GET", "/api/v1/datasets/{identifier}/records/"),
    ("GET", "/api/v1/datasets/{identifier}/aggregate/"),
    ("POST", "/api/v1/datasets/{identifier}/verify/"),
    ("GET", "/api/v1/authorizations/"), ("GET", "/api/v1/usage/"),
    ("GET", "/api/v1/revenue-reports/"), ("POST", "/api/v1/revenue-reports/"),
    ("GET", "/api/v1/products/"), ("POST", "/api/v1/products/"),
    ("POST", "/api/v1/products/{product}/prices/"),
}  # fmt: skip
# Values that only the data can make valid: the catalog entry's field names, a department that
# exists, a cursor the server made, one of the key's authorizations. The schema gives their
# pattern; a schema-valid request draws them from the real data, so that "valid" means valid.
FIELD_LISTS = st.lists(st.sampled_from(GRANTED), min_size=1, max_size=3, unique=True)
ORDERINGS = st.builds(
    lambda sign, name: sign + name, st.sampled_from(["", "-"]), st.sampled_from(GRANTED)
)
METRICS = st.sampled_from(["count", "sum:quantity", "avg:amount", "min:day", "max:code"])
FILTERS = st.sampled_from(
    [{}, {"district": "南明区"}, {"quantity__gte": "2"}, {"day__lt": "2024-01-15"}, {"open": "是"}]
)
DEPARTMENTS = st.sampled_from(["", "EDU"])
MATCHES = st.sampled_from(
    [{"code": "C001"}, {"district": "花溪区", "open": "否"}, {"amount": None}]
)


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[None]:
    """Call the real WSGI app inside the test's transaction: like Django's test client, keep
    the request signals from closing the connection that holds it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def roomy(authorization) -> Authorization:
    # Enough quota that pages are read, not refused with 429; in force since before last month,
    # so that last month can be reported.
    since = authorization.valid_from - timedelta(days=62)
    Authorization.objects.filter(pk=authorization.pk).update(
        daily_row_quota=10_000_000, valid_from=since
    )
    authorization.refresh_from_db()
    return authorization


LAST_MONTH = f"{timezone.localdate().replace(day=1) - timedelta(days=1):%Y-%m}"


def _checks() -> list:
    load_all_checks()
    return CHECKS.get_all()


def _realistic(case, extra: dict, grant: Authorization):
    """A schema-valid case with the data's own names and values in the places the schema can
    only give a pattern for."""
    declared = {parameter.name for parameter in case.operation.query}
    query = {k: v for k, v in (case.query or {}).items() if k in declared}
    query.pop("cursor", None)
    path = case.operation.path
    if "fields" in query:
        query["fields"] = ",".join(extra["fields"])
    if "group_by" in query:
        query["group_by"] = ",".join(extra["fields"])
    if "ordering" in query:
        query["ordering"] = extra["ordering"]
    if "metrics" in query:
        query["metrics"] = extra["metrics"]
    if "department" in query:
        query["department"] = extra["department"]
    if path.endswith(("/records/", "/aggregate/")):
        query.update(extra["filters"])
    case.query = query
    if path.endswith("/verify/"):
        case.body = {"match": extra["match"]}
    if path == "/api/v1/revenue-reports/" and case.method.upper() == "POST":
        case.body = {
            **case.body,
            "authorization": grant.pk,
            "period": LAST_MONTH,
            "amount": "12.50",
        }
    if path == "/api/v1/products/" and case.method.upper() == "POST":
        # One of the key's authorizations in force and its scenario, a charged industry use.
        case.body = {
            **case.body,
            "authorizations": [grant.pk],
            "scenario": grant.scenario_id,
            "use": "industry",
            "fee_form": "per_call",
        }
    return case


def _strategy(operation, mode: GenerationMode, headers: dict, grant: Authorization):
    fixed = None
    if mode is GenerationMode.POSITIVE and any(p.name == "authorization" for p in operation.query):
        fixed = {"authorization": grant.pk}
    identifier = grant.entry.identifier if "{identifier}" in operation.path else None
    strategy = operation.as_strategy(
        generation_mode=mode, headers=headers, query=fixed,
        path_parameters={"identifier": identifier} if identifier else None,
    )  # fmt: skip
    if mode is GenerationMode.NEGATIVE:
        return strategy
    extra = st.fixed_dictionaries(
        {"fields": FIELD_LISTS, "ordering": ORDERINGS, "metrics": METRICS, "filters": FILTERS,
         "department": DEPARTMENTS, "match": MATCHES}
    )  # fmt: skip
    return st.tuples(strategy, extra).map(lambda pair: _realistic(pair[0], pair[1], grant))


def _run(operation, mode: GenerationMode, headers: dict, grant: Authorization) -> None:
    checks = _checks()

    @given(case=_strategy(operation, mode, headers, grant))
    @hypothesis_settings(BOUNDED, max_examples=EXAMPLES[mode])
    def check(case) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=checks, headers=headers)

    try:
        check()
    except Unsatisfiable:
        # An operation with nothing to get wrong (no parameters, no body) has no invalid request.
        if mode is GenerationMode.POSITIVE:
            raise


def test_every_operation_of_the_schema_passes_every_check(api_key, roomy, wsgi_in_test_transaction):
    """All of schemathesis's checks (server errors, status codes, content types, headers and
    bodies as documented, schema-violating requests refused, schema-valid ones accepted, auth
    not ignored) over every operation, as `schemathesis run --checks all` does."""
    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    # The keyless open API has its own run, with open data (tests/opendata/test_schemathesis.py).
    operations = [op for op in operations if not op.path.startswith("/api/v1/open/")]
    assert {(op.method.upper(), op.path) for op in operations} == OPERATIONS
    assert {check.__name__ for check in _checks()} >= {
        "not_a_server_error", "status_code_conformance", "content_type_conformance",
        "response_headers_conformance", "response_schema_conformance",
        "negative_data_rejection", "positive_data_acceptance", "ignored_auth",
    }  # fmt: skip
    headers = {"Authorization": f"Bearer {api_key}"}
    for operation in operations:
        for mode in EXAMPLES:
            _run(operation, mode, headers, roomy)


OPERATORS = ["", "__eq", "__gt", "__gte", "__lt", "__lte", "__in", "__contains", "__isnull"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30)
)


def test_random_filter_values_never_produce_a_server_error(api, roomy):
    path = url("records", roomy.entry.identifier)

    @given(
        name=st.sampled_from(GRANTED), op=st.sampled_from(OPERATORS),
        value=st.text(max_size=40), ordering=st.sampled_from(["", "-", None]),
    )  # fmt: skip
    @hypothesis_settings(BOUNDED, max_examples=200)
    def check(name: str, op: str, value: str, ordering: str | None) -> None:
        parameters = {f"{name}{op}": value, "page_size": 5}
        if ordering is not None:
            parameters["ordering"] = f"{ordering}{name}"
        response = api.get(path, parameters)
        assert response.status_code in (200, 400), (parameters, response.content)

    check()


def test_random_verify_values_never_produce_a_server_error(api, roomy):
    path = url("verify", roomy.entry.identifier)

    @given(match=st.dictionaries(st.sampled_from([*GRANTED, "id_number", "x"]), SCALARS))
    @hypothesis_settings(BOUNDED, max_examples=100)
    def check(match: dict) -> None:
        response = api.post(path, {"match": match}, content_type="application/json")
        assert response.status_code in (200, 400), (match, response.content)

    check()
