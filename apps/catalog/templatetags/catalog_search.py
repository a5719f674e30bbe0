"""``{{ text|highlight:query }}``: the words of a catalog search marked in a result."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def highlight(text: object, query: str) -> SafeString:
    """The text, escaped, with each word of the query (case-insensitive) in <mark>."""
    value = str(text or "")
    terms = sorted({term for term in str(query or "").split() if term}, key=len, reverse=True)
    if not terms:
        return SafeString(escape(value))
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(value):
        parts.append(escape(value[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(value[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part of the text is escaped above
