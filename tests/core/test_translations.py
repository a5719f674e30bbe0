"""Every user-facing string has a Chinese translation (CI re-extracts strings before this runs)."""

import re

from django.conf import settings
from django.utils import translation

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


# docs/glossary.md: a catalog entry is 目录条目 / "catalog entry"; the official names of the
# catalog (公共数据资源目录, "public data resource catalog") and of its registration (公共数据资源登记,
# "public data resource registration", 26号) are the only places the other words stay.
CATALOG_NAME = (
    "公共数据资源目录",
    "data resource catalog",
    "公共数据资源登记",
    "public data resource registration",
)
OTHER_NAMES_OF_A_CATALOG_ENTRY = re.compile(r"数据集|数据资源|dataset|data resource", re.IGNORECASE)


def test_a_catalog_entry_has_one_name_in_both_languages():
    stray = []
    for msgid, msgstr, _fuzzy in _entries():
        text = msgid + "\n" + msgstr
        for name in CATALOG_NAME:
            text = re.sub(name, "", text, flags=re.IGNORECASE)
        if OTHER_NAMES_OF_A_CATALOG_ENTRY.search(text):
            stray.append(msgid)
    assert stray == []


def test_a_name_is_a_persons_name_only_in_the_person_context():
    with translation.override("zh-hans"):
        assert translation.gettext("Name") == "名称"
        assert translation.pgettext("person", "Name") == "姓名"
