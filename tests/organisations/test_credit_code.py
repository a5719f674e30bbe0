import pytest
from django.core.exceptions import ValidationError

from apps.organisations.credit_code import check_character, validate_credit_code
from apps.organisations.services import operator_create


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the example printed in GB 32100-2015 commentaries
        "91520100MA6DKR4Q1N",
        "91520102MA6J0T3K8F",
    ],
)
def test_it_accepts_valid_codes(code):
    validate_credit_code(code)


def test_it_computes_the_check_character_from_the_first_17():
    assert check_character("91350100M000100Y4") == "3"


def test_it_refuses_a_wrong_check_digit_and_says_which_is_right():
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code("91350100M000100Y44")
    assert excinfo.value.code == "check_digit"
    assert "“3”" in excinfo.value.messages[0]


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", ""])
def test_it_refuses_a_wrong_length(code):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(code)
    assert excinfo.value.code == "length"
    assert str(len(code)) in excinfo.value.messages[0]


@pytest.mark.parametrize(
    ("code", "position"),
    [
        ("9135010IM00100Y43X", 8),
        ("913501 0M000100Y43", 7),
        ("91350100m000100Y43", 9),
        ("91350100M000100S43", 16),
    ],
)
def test_it_refuses_illegal_characters_naming_the_position(code, position):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(code)
    assert excinfo.value.code == "character"
    assert f"{position}" in excinfo.value.messages[0]


def test_it_requires_digits_for_the_division_code():
    first17 = "91AB0100M000100Y4"
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(first17 + check_character(first17))
    assert excinfo.value.code == "division"


@pytest.mark.django_db
def test_operator_create_refuses_a_bad_code_and_leaves_nothing(django_user_model):
    from django.contrib.auth.models import Group

    with pytest.raises(ValidationError) as excinfo:
        operator_create(name="坏代码公司", credit_code="91350100M000100Y44")
    assert "credit_code" in excinfo.value.message_dict
    assert not Group.objects.filter(name__startswith="operator:").exists()


@pytest.mark.django_db
def test_operator_create_gives_the_operator_its_own_group():
    operator = operator_create(name="好公司", credit_code="91350100M000100Y43")
    assert operator.group.name == "operator:91350100M000100Y43"
