from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "apps.api"
    verbose_name = _("Operator API")

    def ready(self) -> None:
        from .audit import audit_hooks_register

        audit_hooks_register()
