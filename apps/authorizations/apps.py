from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthorizationsConfig(AppConfig):
    name = "apps.authorizations"
    verbose_name = _("Authorizations")

    def ready(self) -> None:
        from .audit import audit_hooks_register
        from .queues import key_figures_register, work_queues_register
        from .reminders import reminders_register

        audit_hooks_register()
        reminders_register()
        work_queues_register()
        key_figures_register()
