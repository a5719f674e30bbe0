"""History reasons the system wrote in the writer's language ("创建", "已被版本 3 替代") become
language-neutral codes (apps/core/history.py), so each reader sees them in their own language.

The messages are the ones the services wrote when this migration was made, plus every choice
label of the historical models (a status's own name); each is matched in Chinese and in English.
What a person wrote stays as written.
"""

import json
import re

from django.db import migrations
from django.utils import translation

SYSTEM_PREFIX = "sys:"
MESSAGES = [
    "appointed", "approved", "confirmed", "confirmed by the department", "corrected", "created",
    "deadline recomputed", "discarded by the department", "edited", "expired", "loaded",
    "loading", "objection filed", "registered", "revoked", "settled", "submitted",
    "tags changed", "the worker stopped during the load", "the worker stopped; queued again",
    "uploaded",
    "archived: only the %(keep)d newest earlier versions are kept",
    "loaded after version %(number)s went live",
    "refused: %(count)s errors",
    "settled in %(period)s",
    "succeeded by %(name)s",
    "superseded by version %(number)s",
]  # fmt: skip
PLACE = re.compile(r"%\((\w+)\)[sd]")


def _pattern(text: str) -> re.Pattern[str]:
    parts, last = [], 0
    for match in PLACE.finditer(text):
        parts.append(re.escape(text[last : match.start()]))
        parts.append(f"(?P<{match.group(1)}>.+?)")
        last = match.end()
    parts.append(re.escape(text[last:]))
    return re.compile("".join(parts) + r"\Z")


def _code(message: str, params: dict[str, str]) -> str:
    if not params:
        return SYSTEM_PREFIX + message
    values = {k: int(v) if v.isdigit() else v for k, v in params.items()}
    return SYSTEM_PREFIX + message + "|" + json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _matchers(messages: list[str]) -> list[tuple[str, re.Pattern[str]]]:
    found = []
    for message in messages:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                found.append((message, _pattern(translation.gettext(message))))
    return found


def convert(apps, schema_editor):
    for model in apps.get_models():
        if not model.__name__.startswith("Historical"):
            continue
        if "history_change_reason" not in {field.name for field in model._meta.fields}:
            continue
        labels = [
            str(label) for field in model._meta.fields for _value, label in (field.choices or [])
        ]
        matchers = _matchers(MESSAGES + labels)
        reasons = (
            model.objects.exclude(history_change_reason__isnull=True)
            .exclude(history_change_reason__startswith=SYSTEM_PREFIX)
            .values_list("history_change_reason", flat=True)
            .distinct()
        )
        for reason in list(reasons):
            for message, pattern in matchers:
                match = pattern.match(reason)
                if match:
                    code = _code(message, match.groupdict())
                    if len(code) <= 100:
                        model.objects.filter(history_change_reason=reason).update(
                            history_change_reason=code
                        )
                    break


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_bureau_groups"),
        ("api", "0004_usage_disconnected_and_lost"),
        ("authorizations", "0004_combination_rule_groups"),
        ("catalog", "0008_entry_uuid"),
        ("cdo", "0003_title_label"),
        ("datazone", "0005_upload_held_for_confirmation"),
        ("organisations", "0002_cdo_confirmation"),
        ("registration", "0002_bureau_groups"),
        ("revenue", "0002_bureau_groups"),
    ]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop, elidable=True)]
