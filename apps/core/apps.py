from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from .admin_icons import admin_boolean_icons_translate

        admin_boolean_icons_translate()
