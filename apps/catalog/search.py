"""Search tokens that work for Chinese without a segmenter.

Chinese has no spaces, and PostgreSQL's full-text parsers treat a run of Han characters as one
word, so a two-character search would never match inside a longer title. Instead every run of
CJK characters is indexed as its single characters and its bigrams; a query of two or more
characters becomes the AND of its bigrams. Latin words and numbers are indexed lower-cased.
"""

import re

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_IS_CJK = re.compile(rf"[{_CJK}]")


def document_tokens(*texts: str) -> list[str]:
    tokens: set[str] = set()
    for text in texts:
        for run in _RUNS.findall(text.lower()):
            if _IS_CJK.match(run):
                tokens.update(run)
                tokens.update(run[i : i + 2] for i in range(len(run) - 1))
            else:
                tokens.add(run)
    return sorted(tokens)


def document(*texts: str) -> str:
    """The stored form: tokens with a space on each side, so SQLite can match `" tok "`."""
    return " " + " ".join(document_tokens(*texts)) + " "


def query_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for run in _RUNS.findall(text.lower()):
        if _IS_CJK.match(run) and len(run) > 1:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return list(dict.fromkeys(tokens))


def sectors_named(term: str) -> list[str]:
    """The sectors whose name, in any of the portal's languages, contains the term."""
    from django.conf import settings
    from django.utils import translation

    from .choices import Sector

    term = term.lower()
    found = []
    for value, label in Sector.choices:
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                if term in str(label).lower():
                    found.append(value)
                    break
    return found
