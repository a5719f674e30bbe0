"""The two-language walk: every persona opens every page of the access matrix that it may see,
in Chinese and in English, and no interface string is in the other language.

An English page may show Chinese only inside data (an entry's title, a department's name, what
a person wrote): every text value stored in the world's database is data, as are the rows of
the data zone. A Chinese page may show Latin letters only inside data, codes and the units and
standard names listed in ``LATIN_ALLOWED`` (API, CSV, SHA-256 …). Text inside <code>, <pre>,
<script> and <style> is code, not interface.
"""

import re
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import Client

from tests.api.conftest import make_rows
from tests.security.test_access_matrix import (
    ARGUMENTS,
    OK,
    PAGES,
    PERSONAS,
    World,
    client_of,
    web_pages,
)

LANGUAGES = ("zh-hans", "en")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
HAN_CHARACTER = re.compile(r"[\u3400-\u9fff]")
ENGLISH_PUNCTUATION = re.compile(r"[\u3400-\u9fff）][,;!?] ?[\u3400-\u9fff\d（]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*[A-Za-z]|[A-Za-z]")
# Standard names, formats, units and product names a Chinese page writes in Latin letters.
LATIN_ALLOWED = {
    "API", "APIs", "CSV", "XLSX", "XLS", "JSON", "JSON-LD", "Lines", "JSONL", "SHA", "UTF", "BOM",
    "GB", "GBK", "PDF", "TXT", "ODRL", "DCAT", "CKAN", "RSS", "Atom", "Turtle", "RDF", "XML",
    "TOTP", "URL", "HTTP", "HTTPS", "ID", "QR", "OpenAPI", "Swagger", "ReDoc", "English",
    "Excel", "CDO", "Bearer", "ISO", "SQL", "HTML", "ZIP", "GET", "POST", "MB", "KB", "bytes", "Offer", "Agreement", "odrl", "dcat", "ok", "PostgreSQL", "Redis", "Django",
    "WPS", "iOS", "Android", "Google", "Microsoft", "Authenticator", "FreeOTP", "v", "x",
    "e", "g", "i", "DCAT-AP", "AP", "JPEG", "PNG", "IRI", "URI", "UUID", "UTC", "csv", "xlsx",
    "xls", "txt", "pdf", "jsonl", "HTTP-Header",
}  # fmt: skip
SKIPPED_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "textarea"}
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}


class _Text(HTMLParser):
    """The text a reader sees: text nodes outside code, and the attributes shown as tooltips or
    read aloud."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Code, and text marked as another language (a language's own name in the switcher).
        if tag in SKIPPED_TAGS or (tag != "html" and any(name == "lang" for name, _v in attrs)):
            self.skipping.append(tag)
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self.chunks.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.chunks.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.chunks


def _stored_texts() -> Iterator[str]:
    for model in apps.get_models():
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                yield from _strings(value)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
        yield from value.splitlines()
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


@cache
def data_pattern(_world_id: int) -> re.Pattern[str]:
    """Every data value of the world, longest first, as one pattern."""
    texts = {text.strip() for text in _stored_texts() if text and text.strip()}
    texts |= {cell for row in make_rows() for cell in row if cell}
    ordered = sorted((text for text in texts if len(text) > 1 or HAN.match(text)), key=len)
    return re.compile("|".join(re.escape(text) for text in reversed(ordered)))


def wrong_language(chunk: str, language: str, data: re.Pattern[str]) -> str | None:
    """The part of ``chunk`` that is interface text in the other language, or None."""
    if language == "en":
        if not HAN_CHARACTER.search(chunk):
            return None
        rest = data.sub(" ", chunk)
        return chunk if HAN_CHARACTER.search(rest) else None
    rest = data.sub(" ", chunk)
    if ENGLISH_PUNCTUATION.search(rest):  # "已提交, 待审核": Chinese sentences take ，；：
        return chunk
    if not re.search(r"[A-Za-z]", chunk):
        return None
    rest = re.sub(r"https?://\S+|\S+@\S+|\b[\w.-]+\.(?:csv|xlsx|pdf|jsonl|json|txt)\b", " ", rest)
    rest = re.sub(r"(?<![\w/])/[\w./?=&;<>-]*", " ", rest)  # a path: /catalog.ttl?page=1
    rest = re.sub(r"\b[\w-]*\d[\w-]*\b|\b\w+\*{3,}", " ", rest)  # codes: EDU-00001, a masked hash
    # Names of things in code, by their form: quoted (“field”), snake_case, camelCase, prefix:name.
    rest = re.sub(r"“[^”]*”|\b\w+_\w+\b|\b[a-z]+[A-Z]\w*|\b\w+:\w*", " ", rest)
    words = [word for word in LATIN_WORD.findall(rest) if word not in LATIN_ALLOWED]
    return chunk if words else None


def visible_pages(world: World, persona: str) -> Iterator[tuple[str, str]]:
    from django.urls import reverse

    for page in web_pages():
        row = PAGES.get(page.name)
        if row is None or row[persona] != OK:
            continue
        factory = ARGUMENTS.get(page.name)
        yield page.name, reverse(page.name, kwargs=factory(world) if factory else None)


def _html(client: Client, path: str, language: str) -> str | None:
    client.cookies["django_language"] = language
    with transaction.atomic():
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        transaction.set_rollback(True)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return None
    if response.streaming:
        return None
    return response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_speaks_one_language(matrix_world, persona, db):
    world = matrix_world
    data = data_pattern(id(world))
    client = client_of(world, persona)
    problems: list[str] = []
    for name, path in visible_pages(world, persona):
        for language in LANGUAGES:
            html = _html(client, path, language)
            if html is None:
                continue
            for chunk in visible_text(html):
                wrong = wrong_language(chunk, language, data)
                if wrong is not None:
                    problems.append(f"{language} {path} ({name}): {wrong[:120]!r}")
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize(
    ("language", "chunk", "wrong"),
    [
        ("en", "Catalog entries", False),
        ("en", "目录条目", True),
        ("en", "市教育局", False),  # a department's name: data
        ("zh-hans", "目录条目", False),
        ("zh-hans", "Catalog entries", True),
        ("zh-hans", "下载 CSV 文件（UTF-8）", False),
        ("zh-hans", "EDU-00001 全市中小学校基本信息", False),
        ("zh-hans", "已提交, 待审核", True),
        ("zh-hans", "已提交，待审核", False),
    ],
)
def test_the_check_tells_data_from_interface(language, chunk, wrong):
    data = re.compile(re.escape("市教育局") + "|" + re.escape("全市中小学校基本信息"))
    assert (wrong_language(chunk, language, data) is not None) is wrong


def admin_pages(user) -> Iterator[tuple[str, str]]:
    """The admin index and, for every model the user may view, its list, its first object's
    page and that object's history."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    yield "admin:index", reverse("admin:index")
    request = type("Request", (), {"user": user})()
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):  # type: ignore[arg-type]
            continue
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        yield f"{name}_changelist", reverse(f"{name}_changelist")
        first = model._default_manager.order_by("pk").first()
        if first is None:
            continue
        yield f"{name}_change", reverse(f"{name}_change", args=[first.pk])
        try:
            yield f"{name}_history", reverse(f"{name}_history", args=[first.pk])
        except NoReverseMatch:
            continue


@pytest.mark.parametrize("persona", ["reviewer", "approver", "auditor"])
def test_every_admin_page_speaks_one_language(matrix_world, persona, db):
    world = matrix_world
    data = data_pattern(id(world))
    client = client_of(world, persona)
    problems: list[str] = []
    for name, path in admin_pages(world.users[persona]):
        for language in LANGUAGES:
            html = _html(client, path, language)
            if html is None:
                problems.append(f"{language} {path} ({name}): not a page")
                continue
            for chunk in visible_text(html):
                wrong = wrong_language(chunk, language, data)
                if wrong is not None:
                    problems.append(f"{language} {path} ({name}): {wrong[:120]!r}")
    assert not problems, "\n".join(sorted(set(problems)))
