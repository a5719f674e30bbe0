"""Interface strings of Django that its own zh_Hans catalogue does not translate yet (added in
Django 6.1): listed here, they are extracted into the project's catalogue, which Django reads
before its own, so no English is left on a Chinese admin page ("- Select an option -" on every
select, "Filter by 提交时间" above the date hierarchy)."""

from django.utils.translation import gettext_noop

FRAMEWORK_STRINGS = (
    gettext_noop("- Select an option -"),
    gettext_noop("Filter by %(field_name)s"),
)
