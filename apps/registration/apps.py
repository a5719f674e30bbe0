from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "apps.registration"
    label = "registration"
    verbose_name = _("Registration")

    def ready(self) -> None:
        from apps.authorizations.gates import approval_check_register

        from .audit import audit_hooks_register
        from .queues import work_queues_register
        from .selectors import registration_gate

        audit_hooks_register()
        approval_check_register(registration_gate)
        work_queues_register()
