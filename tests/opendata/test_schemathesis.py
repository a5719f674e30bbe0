"""Schemathesis over the open API's operations, through the WSGI app, with every check (as
`schemathesis run --checks all`): whatever anyone sends, the answer is never a server error and
is what the schema documents."""

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.api.test_schemathesis import BOUNDED, _checks, wsgi_in_test_transaction

__all__ = ["wsgi_in_test_transaction"]  # the fixture, shared with the operator API's run

OPEN_PATHS = r"^/api/v1/open/"
# Every check but "schema-valid is accepted": a cursor or field name can match its pattern and
# still not exist; the operator API's run draws those from the real data and keeps that check.
CHECKS = [check for check in _checks() if check.__name__ != "positive_data_acceptance"]
EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 10}


def test_no_request_to_the_open_api_produces_a_server_error(loaded_open, wsgi_in_test_transaction):
    import schemathesis

    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    operations = [r.ok() for r in schema.include(path_regex=OPEN_PATHS).get_all_operations()]
    assert {op.path for op in operations} == {
        "/api/v1/open/{identifier}/", "/api/v1/open/{identifier}/records/",
    }  # fmt: skip
    for operation in operations:
        for mode, count in EXAMPLES.items():
            strategy = operation.as_strategy(
                generation_mode=mode, path_parameters={"identifier": loaded_open.identifier}
            )

            @given(case=strategy)
            @hypothesis_settings(BOUNDED, max_examples=count)
            def check(case) -> None:
                response = case.call()
                case.validate_response(response, checks=[not_a_server_error, *CHECKS])
                assert response.status_code in (200, 400, 404, 429), response.text

            try:
                check()
            except Unsatisfiable:
                # The schema endpoint takes nothing but its (fixed) identifier: nothing to send
                # wrong.
                assert mode is GenerationMode.NEGATIVE
