"""Django's zh_Hans formats, with numbers grouped by thousands (12,345.67) as the bureau's
documents and tables write them; Django's own zh_Hans format groups nothing."""

from django.conf.locale.zh_Hans.formats import *  # type: ignore[import-untyped]  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
