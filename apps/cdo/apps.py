from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CdoConfig(AppConfig):
    name = "apps.cdo"
    verbose_name = _("Chief data officers")

    def ready(self) -> None:
        from .audit import audit_hooks_register

        audit_hooks_register()
