from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "apps.api"
    verbose_name = _("Operator API")

    def ready(self) -> None:
        from apps.core.outage import unavailable_listeners

        from .audit import audit_hooks_register
        from .metering import usage_record_refused_by_outage
        from .notify import reminders_register
        from .queues import key_figures_register, work_queues_register

        audit_hooks_register()
        reminders_register()
        work_queues_register()
        key_figures_register()
        if usage_record_refused_by_outage not in unavailable_listeners:
            unavailable_listeners.append(usage_record_refused_by_outage)
