"""Django's English formats, with the grouping written down here beside the Chinese one so both
languages group numbers the same way (12,345.67)."""

from django.conf.locale.en.formats import *  # type: ignore[import-untyped]  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
