"""Every user-facing string has a Chinese translation (CI re-extracts strings before this runs)."""

import re

from django.conf import settings

PO = settings.BASE_DIR / "config" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries() -> list[tuple[str, str, bool]]:
    text = PO.read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n")[1:]:
        msgid = "".join(re.findall(r'"(.*)"', block.split("msgid ", 1)[1].split("\nmsgstr", 1)[0]))
        msgstr = "".join(re.findall(r'"(.*)"', block.split("\nmsgstr", 1)[1]))
        entries.append((msgid, msgstr, "#, fuzzy" in block))
    return entries


def test_every_string_is_translated_to_chinese():
    entries = _entries()
    assert len(entries) > 50
    untranslated = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert untranslated == []


def test_the_compiled_catalogue_is_committed():
    assert MO.exists()
    assert MO.stat().st_size > 1000
