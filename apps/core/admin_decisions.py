"""Decisions bureau staff make in the admin: in bulk (one reason for every selected item) or from
an item's change page, always through the same services as the web pages.

A model admin lists its moves as ``decisions`` (name → Decision); each becomes a bulk action
(``<name>_selected``), a button on the change page when the item's status admits it, and a page
at ``<object_id>/decide/<name>/`` asking for the reason. Every refused item is reported with the
service's reason; nothing is written except by the service.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminTextareaWidget
from django.contrib.auth.models import Group
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import models
from django.db.models import QuerySet
from django.forms.boundfield import BoundField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import (  # type: ignore[import-untyped]
    HistoricalRecordContextHelper,
)

from apps.accounts.roles import ROLE_LABELS
from apps.core.errors import DomainError
from apps.core.history import SYSTEM_PREFIX, history_reason
from apps.core.templatetags.numbers import percent, price_with_unit, yuan

if TYPE_CHECKING:  # django-stubs-ext is a development dependency
    from django_stubs_ext import StrOrPromise

Fieldsets = list[tuple[Promise | None, list[str]]]


@dataclass(frozen=True)
class Decision:
    """One move bureau staff make from the admin, in bulk or from the change page."""

    label: "StrOrPromise"
    permission: str  # the admin's has_<permission>_permission() says who may
    reason_required: bool
    admits: Callable[[Any], bool]  # does the object's status allow the move (to offer a button)
    perform: Callable[[Any, Any, str], object]  # (object, actor, reason): calls the service


def moves_to(transitions: dict[str, set[str]], target: str) -> Callable[[Any], bool]:
    """``admits`` for a life cycle: the object's status may move to ``target``."""
    return lambda obj: target in transitions[obj.status]


def role_needed(permission: str) -> PermissionDenied:
    """A 403 that names the bureau role (group) holding ``permission`` ("app.codename")."""
    app_label, _dot, codename = permission.partition(".")
    names = (
        Group.objects.filter(
            permissions__content_type__app_label=app_label, permissions__codename=codename
        )
        .order_by("name")
        .values_list("name", flat=True)
    )
    roles = _(", ").join(str(ROLE_LABELS.get(name, name)) for name in names)
    if not roles:
        return PermissionDenied(_("This page needs a permission no bureau role holds."))
    return PermissionDenied(
        _("This page needs the %(roles)s role; ask the bureau's administrator for it.")
        % {"roles": roles}
    )


def refusal(error: DomainError | ValidationError) -> str:
    return str(error.message) if isinstance(error, DomainError) else "; ".join(error.messages)


def report(
    request: HttpRequest, label: "StrOrPromise", done: list[str], refused: list[str]
) -> None:
    """Say what was done, and list every refused item with its reason."""
    if done:
        messages.success(
            request,
            _("%(decision)s: %(objects)s") % {"decision": label, "objects": ", ".join(done)},
        )
    for line in refused:
        messages.error(request, line)


# Forms --------------------------------------------------------------------------------------


class GroupedForm(forms.Form):
    """A form the admin templates render fieldset by fieldset."""

    fieldsets: Fieldsets = []
    # Models whose field names a service's errors may use; shown by their verbose names.
    labels_from: tuple[type[models.Model], ...] = ()

    def grouped(self) -> list[tuple[Promise | None, list[BoundField]]]:
        named = self.fieldsets or [(None, list(self.fields))]
        return [(legend, [self[name] for name in names]) for legend, names in named]

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError next to the field it names, or above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            if name in self.fields:
                self.add_error(name, errors)
            elif name == NON_FIELD_ERRORS:
                self.add_error(None, errors)
            else:
                label = self.label_of(name)
                self.add_error(None, [f"{label}: {message}" for e in errors for message in e])

    def label_of(self, name: str) -> str:
        for model in self.labels_from:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if isinstance(field, models.Field):  # a reverse relation has no verbose name
                return str(field.verbose_name)
        return name


class ReasonForm(GroupedForm):
    reason = forms.CharField(
        label=gettext_lazy("Comment or reason"),
        required=False,
        widget=AdminTextareaWidget(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args: Any, required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
        self.fields["reason"].help_text = (
            _("Required: it is recorded in the history and shown to the organisation.")
            if required
            else _("Optional: it is recorded in the history.")
        )


# Admins -------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if isinstance(value, str) and value.startswith(SYSTEM_PREFIX):  # a reason the system wrote
        return history_reason(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return _(", ").join(_cell(item) for item in value)
    if isinstance(value, dict):
        return _(", ").join(f"{key}: {_cell(item)}" for key, item in value.items())
    return "—" if value in (None, "") else str(value)


def readable_json(value: Any) -> str:
    """A JSON value as staff read it: a list of words joined, a list of objects as a table, an
    object as "key: value" lines; never raw JSON like ["school_code", "open_hours"]."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
        keys = list(dict.fromkeys(key for row in value for key in row))
        head = format_html_join("", "<th><code>{}</code></th>", ((key,) for key in keys))
        rows = format_html_join(
            "",
            "<tr>{}</tr>",
            (
                (format_html_join("", "<td>{}</td>", ((_cell(row.get(key)),) for key in keys)),)
                for row in value
            ),
        )
        return format_html(
            '<table class="readable-json-table"><thead><tr>{}</tr></thead><tbody>{}</tbody>'
            "</table>",
            head,
            rows,
        )
    if isinstance(value, dict):
        pairs = ((key, _cell(item)) for key, item in value.items())
        return format_html_join(mark_safe("<br>"), "<code>{}</code>: {}", pairs)
    return _cell(value)


def _number_display(field: "models.Field[Any, Any]") -> Callable[[Any], str] | None:
    """How the admin shows a number as people read it: a ratio as 30%, money as ¥12,345.67
    right-aligned, a price with its unit (元/行), an id as #1234 (an identifier is never grouped).
    ``None`` leaves the field to Django's own display."""
    name = field.name
    if isinstance(field, models.AutoField | models.BigAutoField):
        return lambda obj: f"#{obj.pk}"
    if not isinstance(field, models.DecimalField):
        return None
    if name == "ratio" or name.endswith("_ratio"):
        return lambda obj: format_html('<span class="num">{}</span>', percent(getattr(obj, name)))
    if name == "price" and hasattr(field.model, "fee_basis"):
        return lambda obj: format_html('<span class="num">{}</span>', price_with_unit(obj))
    if field.decimal_places == 2:
        return lambda obj: format_html('<span class="num">{}</span>', yuan(getattr(obj, name)))
    return None


def _readable_display(field: "models.JSONField[Any]") -> Callable[[Any], str]:
    def display(obj: Any) -> str:
        return readable_json(getattr(obj, field.name))

    display.short_description = field.verbose_name  # type: ignore[attr-defined]
    return display


def history_value_shown(value: Any) -> str:
    """A value in the admin's history as staff read it: no "None", "True" or raw JSON."""
    # No value, or no object (simple-history shows a missing one as a DeletedObject of pk None).
    if value is None or getattr(value, "pk", "") is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, date):
        return formats.date_format(value, "Y-m-d")
    if isinstance(value, list | dict):
        return readable_json(value)
    return value  # simple-history stringifies the rest


class _HistoryValues(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change: Any, value: Any) -> Any:
        return history_value_shown(super().prepare_delta_change_value(change, value))

    def stringify_delta_change_values(self, change: Any, old: Any, new: Any) -> Any:
        # A readable table is HTML made safe here; simple-history would escape it again.
        old_text, new_text = super().stringify_delta_change_values(change, old, new)
        return (
            old if isinstance(old, SafeString) else old_text,
            new if isinstance(new, SafeString) else new_text,
        )


class BureauAdmin(SimpleHistoryAdmin):
    """Lists, change pages (read only) and history; changes go through decisions only. JSON
    fields shown read only are shown readable (``readable_json``)."""

    show_full_result_count = False  # no full-table COUNT on every list page

    def __init__(self, model: type[models.Model], admin_site: Any) -> None:
        super().__init__(model, admin_site)
        self.readable_names: dict[str, str] = {}
        for field in model._meta.get_fields():
            if isinstance(field, models.JSONField):
                name = f"{field.name}_readable"
                setattr(self, name, _readable_display(field))
                self.readable_names[field.name] = name
            elif isinstance(field, models.Field) and (shown := _number_display(field)):
                name = f"{field.name}_shown"
                shown.short_description = field.verbose_name  # type: ignore[attr-defined]
                shown.admin_order_field = field.name  # type: ignore[attr-defined]
                setattr(self, name, shown)
                self.readable_names[field.name] = name

    def _readable(self, names: Iterable[Any], shown_read_only: Iterable[Any]) -> list[Any]:
        read_only = set(shown_read_only)
        return [
            self.readable_names.get(name, name)
            if isinstance(name, str) and name in read_only
            else name
            for name in names
        ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)
        return self._readable(fields, super().get_readonly_fields(request, obj))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        read_only = super().get_readonly_fields(request, obj)
        return self._readable(read_only, read_only)

    def get_list_display(self, request: HttpRequest) -> Any:
        names = super().get_list_display(request)
        return self._readable(names, names)

    def get_historical_record_context_helper(self, request: HttpRequest, record: Any) -> Any:
        return _HistoryValues(self.model, record)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def url_name(self, view: str) -> str:
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}"

    def view_url(self, name: str, view: Callable[..., HttpResponseBase], route: str) -> URLPattern:
        return path(
            f"<path:object_id>/{route}",
            self.admin_site.admin_view(view),
            name=self.url_name(name).removeprefix("admin:"),
        )


def decision_actions(decisions: dict[str, Decision]) -> list[Callable[..., HttpResponse | None]]:
    """One bulk action per decision, offered to those the decision's permission admits."""
    return [_decision_action(name, decision) for name, decision in decisions.items()]


def _decision_action(name: str, decision: Decision) -> Callable[..., HttpResponse | None]:
    def action(
        modeladmin: "DecisionAdmin", request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse | None:
        return modeladmin.bulk_decision(request, queryset, name)

    action.__name__ = f"{name}_selected"
    return admin.action(description=decision.label, permissions=[decision.permission])(action)


class DecisionAdmin(BureauAdmin):
    """Decisions in bulk (one reason for all selected) and from the change page.

    Subclasses set ``decisions`` and ``actions = decision_actions(decisions)``."""

    decisions: dict[str, Decision] = {}
    # Decision.permission -> the model permission behind it ("app.codename"): a 403 names the
    # bureau role that holds it.
    decision_permissions: dict[str, str] = {}
    change_form_template = "admin/decision_change_form.html"
    decision_template = "admin/decision.html"  # extend it to say more about the objects

    def get_urls(self) -> list[Any]:
        return [
            self.view_url("decide", self.decision_view, "decide/<str:decision>/"),
            *self.extra_urls(),
            *super().get_urls(),
        ]

    def extra_urls(self) -> list[URLPattern]:
        return []

    def refused(self, permission: str) -> PermissionDenied:
        needed = self.decision_permissions.get(permission)
        return role_needed(needed) if needed else PermissionDenied()

    def may(self, request: HttpRequest, decision: Decision) -> bool:
        return getattr(self, f"has_{decision.permission}_permission")(request)

    def describe(self, obj: Any) -> str:
        return str(obj)

    def decision_consequences(self, objects: list[Any], decision: str) -> list[str]:
        """What an irreversible decision will do, with figures, said above its form (e.g.
        "revoking ends 2 API keys' access"); empty for an ordinary one."""
        return []

    def decision_barrier(self, request: HttpRequest, obj: Any, decision: str) -> str:
        """Why this user may not make this decision on this object, said before any form is
        filled in (e.g. four eyes); empty when nothing stands in the way. The service checks
        again when the decision is made."""
        return ""

    def decide(self, request: HttpRequest, objects: Iterable[Any], name: str, reason: str) -> None:
        """Apply one decision to each object; say what was done and every refusal, and why."""
        decision = self.decisions[name]
        done, refused = [], []
        for obj in objects:
            try:
                decision.perform(obj, request.user, reason)
                done.append(self.describe(obj))
            except (DomainError, ValidationError) as error:
                refused.append(f"{self.describe(obj)}: {refusal(error)}")
        report(request, decision.label, done, refused)

    def bulk_decision(
        self, request: HttpRequest, queryset: QuerySet[Any], name: str
    ) -> HttpResponse | None:
        decision = self.decisions[name]
        data = request.POST if "apply" in request.POST else None
        form = ReasonForm(data, required=decision.reason_required)
        if form.is_valid():
            self.decide(request, list(queryset), name, form.cleaned_data["reason"])
            return None
        objects = list(queryset)
        return self.render_decision(
            request,
            decision.label,
            objects,
            form,
            action=f"{name}_selected",
            consequences=self.decision_consequences(objects, name),
        )

    def decision_view(self, request: HttpRequest, object_id: str, decision: str) -> HttpResponse:
        choice = self.decisions.get(decision)
        if choice is None:
            raise PermissionDenied
        if not self.may(request, choice):
            raise self.refused(choice.permission)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        barrier = self.decision_barrier(request, obj, decision)
        form = ReasonForm(request.POST or None, required=choice.reason_required)
        if request.method == "POST" and form.is_valid():  # the service refuses what it must
            self.decide(request, [obj], decision, form.cleaned_data["reason"])
            return HttpResponseRedirect(reverse(self.url_name("change"), args=[obj.pk]))
        return self.render_decision(
            request,
            choice.label,
            [obj],
            form,
            barrier=barrier,
            consequences=self.decision_consequences([obj], decision),
        )

    def render_decision(
        self,
        request: HttpRequest,
        title: "StrOrPromise",
        objects: list[Any],
        form: GroupedForm,
        *,
        action: str = "",
        template: str = "",
        **extra: Any,
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "objects": objects,
            "form": form,
            "action": action,
            "opts": self.opts,
            "media": self.media + form.media,
            "changelist_url": reverse(self.url_name("changelist")),
            **extra,
        }
        return TemplateResponse(request, template or self.decision_template, context)

    def object_decisions(self, request: HttpRequest, obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "label": decision.label,
                "url": reverse(self.url_name("decide"), args=[obj.pk, name]),
            }
            for name, decision in self.decisions.items()
            if self.may(request, decision) and decision.admits(obj)
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        decisions = self.object_decisions(request, obj) if obj is not None else []
        barriers = sorted(
            {self.decision_barrier(request, obj, decision["name"]) for decision in decisions} - {""}
        )
        extra_context = {**(extra_context or {}), "decisions": decisions, "barriers": barriers}
        return super().change_view(request, object_id, form_url, extra_context)
