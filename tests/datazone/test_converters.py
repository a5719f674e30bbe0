"""Each field type: the forms it accepts, what the database is given, and what it refuses."""

import pytest

from apps.datazone.converters import Invalid, converter_for


def convert(data_type: str, raw: str, *, nullable: bool = True, booleans=("t", "f")):
    return converter_for(data_type, nullable=nullable, boolean_values=booleans)(raw)


def refusal(data_type: str, raw: str, *, nullable: bool = True) -> str:
    with pytest.raises(Invalid) as caught:
        convert(data_type, raw, nullable=nullable)
    return caught.value.reason


@pytest.mark.parametrize(
    "data_type", ["string", "integer", "decimal", "date", "datetime", "boolean"]
)
def test_it_turns_empty_values_into_null_where_the_field_may_be_empty(data_type):
    assert convert(data_type, "") is None
    assert convert(data_type, "   ") is None


@pytest.mark.parametrize(
    "data_type", ["string", "integer", "decimal", "date", "datetime", "boolean"]
)
def test_it_refuses_empty_values_where_the_field_may_not_be_empty(data_type):
    assert refusal(data_type, "", nullable=False) == "required"
    assert refusal(data_type, " \t", nullable=False) == "required"


@pytest.mark.parametrize("raw", ["南明区", " padded ", "a,b", 'say "hi"', "x" * 10_000])
def test_it_keeps_text_exactly_as_written(raw):
    assert convert("string", raw) == raw


def test_it_refuses_text_with_a_nul_character():
    assert refusal("string", "a\x00b") == "nul"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("12", "12"),
        (" 12 ", "12"),
        ("-7", "-7"),
        ("+7", "7"),
        ("007", "007"),
        ("1,234", "1234"),
        ("-1,234,567", "-1234567"),
        ("9223372036854775807", "9223372036854775807"),
        ("-9223372036854775808", "-9223372036854775808"),
    ],
)
def test_it_accepts_whole_numbers(raw, stored):
    assert convert("integer", raw) == stored


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("1.5", "integer"),
        ("1,5", "integer"),
        ("12,34", "integer"),
        ("1,234.0", "integer"),
        ("abc", "integer"),
        ("1e3", "integer"),
        ("１２", "integer"),
        ("- 1", "integer"),
        ("9223372036854775808", "integer_range"),
        ("-9223372036854775809", "integer_range"),
    ],
)
def test_it_refuses_what_is_not_a_whole_number(raw, reason):
    assert refusal("integer", raw) == reason


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("3.50", "3.50"),
        ("-0.001", "-0.001"),
        ("+2", "+2"),
        (".5", ".5"),
        ("1.5E+07", "1.5E+07"),
        ("1,234.56", "1234.56"),
        ("12", "12"),
    ],
)
def test_it_accepts_decimals(raw, stored):
    assert convert("decimal", raw) == stored


@pytest.mark.parametrize(
    "raw", ["abc", "1.2.3", "NaN", "Infinity", "1,23", "1e99999", "1" * 101, "¥5"]
)
def test_it_refuses_what_is_not_a_decimal(raw):
    assert refusal("decimal", raw) == "decimal"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("2024-01-05", "2024-01-05"),
        ("2024/01/05", "2024-01-05"),
        ("2024/1/5", "2024-01-05"),
        ("2024-1-5", "2024-01-05"),
        ("2024年01月05日", "2024-01-05"),
        ("2024年1月5日", "2024-01-05"),
        ("2024-02-29", "2024-02-29"),
    ],
)
def test_it_accepts_dates_in_the_three_forms(raw, stored):
    assert convert("date", raw) == stored


@pytest.mark.parametrize(
    "raw",
    ["2023-02-29", "2024-13-01", "2024-00-10", "05/01/2024", "20240105", "2024-W01-1",
     "2024-01-05 08:00", "2024年1月5", "yesterday", "2024.01.05"],
)  # fmt: skip
def test_it_refuses_what_is_not_a_date(raw):
    assert refusal("date", raw) == "date"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        # Without a zone: the portal's TIME_ZONE (Asia/Shanghai, UTC+8); stored in UTC.
        ("2024-01-05 08:30", "2024-01-05 00:30:00+00:00"),
        ("2024-01-05T08:30:15", "2024-01-05 00:30:15+00:00"),
        ("2024/01/05 08:30:15.5", "2024-01-05 00:30:15.500000+00:00"),
        ("2024-01-05T08:30:00Z", "2024-01-05 08:30:00+00:00"),
        ("2024-01-05 08:30:00+08:00", "2024-01-05 00:30:00+00:00"),
        ("2024-01-05 08:30:00-0500", "2024-01-05 13:30:00+00:00"),
        ("2024-01-05", "2024-01-04 16:00:00+00:00"),
    ],
)
def test_it_accepts_dates_with_times(raw, stored):
    assert convert("datetime", raw) == stored


@pytest.mark.parametrize(
    "raw", ["2024-01-32", "2024-01-05 25:00", "2024-01-05 08:61", "08:30", "2024-01-05 08:30+25:00"]
)
def test_it_refuses_what_is_not_a_date_and_time(raw):
    assert refusal("datetime", raw) == "datetime"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("true", "t"), ("TRUE", "t"), ("t", "t"), ("1", "t"), ("yes", "t"), ("Y", "t"), ("是", "t"),
     ("false", "f"), ("F", "f"), ("0", "f"), ("no", "f"), ("n", "f"), ("否", "f")],
)  # fmt: skip
def test_it_accepts_yes_and_no(raw, stored):
    assert convert("boolean", raw) == stored


def test_it_writes_booleans_as_the_database_wants_them():
    assert convert("boolean", "是", booleans=(1, 0)) == 1
    assert convert("boolean", "否", booleans=(1, 0)) == 0


@pytest.mark.parametrize("raw", ["2", "maybe", "对", "ja", "truee"])
def test_it_refuses_what_is_not_yes_or_no(raw):
    assert refusal("boolean", raw) == "boolean"
