"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), entity type (1), administrative division (6 digits),
organisation code (9), check digit (1). The alphabet is 0-9 and the capitals without I, O, S, V, Z;
the check digit is 31 - (sum of value x 3^position mod 31) mod 31, over the first 17 characters.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {char: value for value, char in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, position, 31) for position in range(17)]
LENGTH = 18


def check_character(first17: str) -> str:
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    if len(value) != LENGTH:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d.")
            % {"count": len(value)},
            code="length",
        )
    for position, char in enumerate(value, start=1):
        if char not in _VALUES:
            raise ValidationError(
                _(
                    "Character %(position)d, “%(char)s”, is not allowed in a unified social credit "
                    "code (digits and capital letters except I, O, S, V and Z)."
                )
                % {"position": position, "char": char},
                code="character",
            )
    if not value[2:8].isdigit():
        raise ValidationError(
            _(
                "Characters 3 to 8 of a unified social credit code are the administrative "
                "division code and must be digits."
            ),
            code="division",
        )
    expected = check_character(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _(
                "The check digit (last character) should be “%(expected)s”, not “%(actual)s”: "
                "the code has a typing error."
            )
            % {"expected": expected, "actual": value[17]},
            code="check_digit",
        )
