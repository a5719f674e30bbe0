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

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from apps.authorizations.models import Authorization
from tests.api.conftest import GRANTED, url

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

OPERATOR_PATHS = r"^/api/v1/(datasets|authorizations|usage)"
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 10}
BOUNDED = hypothesis_settings(
    deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
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
    # Enough quota that pages are read, not refused with 429.
    Authorization.objects.filter(pk=authorization.pk).update(daily_row_quota=10_000_000)
    return authorization


def _run(operation, mode: GenerationMode, headers: dict, grant: Authorization) -> None:
    fixed = {"authorization": grant.pk} if mode is GenerationMode.POSITIVE else None
    strategy = operation.as_strategy(
        generation_mode=mode, headers=headers, query=fixed,
        path_parameters={"identifier": grant.entry.identifier},
    )  # fmt: skip

    @given(case=strategy)
    @hypothesis_settings(BOUNDED, max_examples=EXAMPLES[mode])
    def check(case) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error])

    try:
        check()
    except Unsatisfiable:
        # An operation with nothing to get wrong (no parameters, no body) has no invalid request.
        if mode is GenerationMode.POSITIVE:
            raise


def test_no_request_to_an_operator_endpoint_produces_a_server_error(
    api_key, roomy, wsgi_in_test_transaction
):
    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    selected = schema.include(path_regex=OPERATOR_PATHS)
    operations = [result.ok() for result in selected.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/api/v1/datasets/", "/api/v1/datasets/{identifier}/",
        "/api/v1/datasets/{identifier}/records/", "/api/v1/datasets/{identifier}/aggregate/",
        "/api/v1/datasets/{identifier}/verify/",
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
