"""Django's admin marks a yes/no value with an icon whose alt text is Python's "True", "False"
or "None" in every language, which a screen reader then reads out in English on a Chinese page.
The portal replaces that one helper, once, with one whose alt text is in the reader's language
(Django looks the helper up at each call, so every list, form and history page uses it)."""

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _


def _boolean_icon(value: bool | None) -> SafeString:
    name = {True: "yes", False: "no", None: "unknown"}[value]
    text = {True: _("Yes"), False: _("No"), None: _("Unknown")}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), text)


def admin_boolean_icons_translate() -> None:
    from django.contrib.admin.templatetags import admin_list

    admin_list._boolean_icon = _boolean_icon  # type: ignore[attr-defined]
