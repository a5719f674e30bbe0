"""Combination rules of aggregation risk: approvers set them, everyone in the bureau sees which
operators already breach each one (实施规范 27号)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy, ngettext
from simple_history.admin import SimpleHistoryAdmin

from apps.catalog.choices import FieldTag
from apps.core.access import signed_in_user

from .. import services
from ..aggregation_selectors import Breach, combination_rule_breaches
from ..models import CombinationRule


class CombinationRuleForm(forms.ModelForm):
    tags = forms.MultipleChoiceField(
        label=gettext_lazy("tags"), choices=FieldTag.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = CombinationRule
        fields = ("name", "description", "tags", "effect", "active")


class BreachFilter(admin.SimpleListFilter):
    """The bureau's queue: the rules some operator already breaches."""

    title = gettext_lazy("operators already in breach")
    parameter_name = "breached"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", gettext_lazy("breached")), ("no", gettext_lazy("not breached"))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[CombinationRule]
    ) -> QuerySet[CombinationRule]:
        if self.value() not in ("yes", "no"):
            return queryset
        breached = [pk for pk, found in combination_rule_breaches().items() if found]
        if self.value() == "yes":
            return queryset.filter(pk__in=breached)
        return queryset.exclude(pk__in=breached)


def _breaches(rule: CombinationRule) -> list[Breach]:
    if rule.pk is None or not rule.active:
        return []
    return combination_rule_breaches(rules=[rule])[rule.pk]


@admin.register(CombinationRule)
class CombinationRuleAdmin(SimpleHistoryAdmin):
    form = CombinationRuleForm
    list_display = ("name", "effect", "tag_list", "active")
    list_filter = (BreachFilter, "effect", "active")
    search_fields = ("name", "description")
    readonly_fields = ("operators_in_breach", "created_by", "created_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a rule no longer wanted is made inactive; its history stays

    @admin.display(description=gettext_lazy("tags"))
    def tag_list(self, rule: CombinationRule) -> str:
        return " + ".join(rule.tag_labels())

    def get_list_display(self, request: HttpRequest) -> list[str | Callable[[Any], str | bool]]:
        """The count of operators in breach, computed once for the whole page."""
        breaches: dict[int, list[Breach]] | None = None

        @admin.display(description=gettext_lazy("operators already in breach"))
        def breach_count(rule: CombinationRule) -> str:
            nonlocal breaches
            if breaches is None:
                breaches = combination_rule_breaches()
            return str(len(breaches.get(rule.pk, [])))

        return [*self.list_display, breach_count]

    @admin.display(description=gettext_lazy("operators already in breach"))
    def operators_in_breach(self, rule: CombinationRule) -> SafeString | str:
        breaches = _breaches(rule)
        if not breaches:
            return "—"
        return format_html_join(
            "",
            "<p>{}: {}</p>",
            (
                (breach.operator, "、".join(entry.identifier for entry in breach.entries))
                for breach in breaches
            ),
        )

    def save_model(
        self, request: HttpRequest, obj: CombinationRule, form: Any, change: bool
    ) -> None:
        services.combination_rule_save(rule=obj, actor=signed_in_user(request))
        count = len(_breaches(obj))
        if count:
            messages.warning(
                request,
                ngettext(
                    "%(count)d operator already breaches this rule: see the rule's page.",
                    "%(count)d operators already breach this rule: see the rule's page.",
                    count,
                )
                % {"count": count},
            )
