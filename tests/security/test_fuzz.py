"""Property tests on the parsers that take raw user input: they return an answer or a clear
ValidationError, never anything else, whatever the text."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apps.catalog.search import document_tokens, query_tokens
from apps.organisations.credit_code import ALPHABET, check_character, validate_credit_code

HOSTILE = [
    "",
    " ",
    "\x00",
    "' OR 1=1 --",
    "学校\u200b教育",
    "%_\\",
    "<script>alert(1)</script>",
    "𠀀𠀁",  # outside the BMP
    "Ａ１",  # full-width
]


@given(st.text(max_size=300))
@example("全市中小学校")
@example("bus-2026 公交 到站")
def test_query_tokens_always_give_clean_unique_tokens(text):
    tokens = query_tokens(text)
    assert len(tokens) == len(set(tokens))
    assert all(token and token == token.lower() and " " not in token for token in tokens)
    # Every token of a query can be found in the document made from the same text.
    assert set(tokens) <= set(document_tokens(text)) | {t for t in tokens if len(t) == 1}


@pytest.mark.parametrize("text", HOSTILE)
def test_query_tokens_on_hostile_text(text):
    assert isinstance(query_tokens(text), list)


@given(st.text(max_size=40))
@example("91520100MA6DKR4Q1N")
@example("9152010000000000O1")
def test_the_credit_code_validator_only_ever_raises_validation_error(text):
    try:
        validate_credit_code(text)
    except ValidationError as error:
        assert error.messages and error.code


credit_body = st.text(alphabet=ALPHABET, min_size=17, max_size=17).filter(
    lambda body: body[2:8].isdigit()
)


@given(credit_body)
def test_a_code_with_its_check_character_is_accepted(body):
    validate_credit_code(body + check_character(body))


@given(credit_body, st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_any_single_typing_error_is_caught(body, position, replacement):
    code = body + check_character(body)
    typo = code[:position] + replacement + code[position + 1 :]
    if typo == code:
        return
    with pytest.raises(ValidationError):
        validate_credit_code(typo)


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    q=st.text(max_size=80),
    page=st.one_of(st.none(), st.text(max_size=6), st.integers(-5, 10**12).map(str)),
    sector=st.one_of(st.none(), st.text(max_size=12)),
)
def test_the_public_catalog_search_never_fails(client, q, page, sector):
    params = {"q": q}
    if page is not None:
        params["page"] = page
    if sector is not None:
        params["sector"] = sector
    response = client.get(reverse("catalog:list"), params)
    assert response.status_code in (200, 400, 404)
