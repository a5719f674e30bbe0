from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatazoneConfig(AppConfig):
    name = "apps.datazone"
    verbose_name = _("Data zone")

    def ready(self) -> None:
        from .audit import audit_hooks_register

        audit_hooks_register()
        from .queues import work_queues_register

        work_queues_register()
        from apps.core.health import readiness_check

        from .replicas import replica_configured, replica_status
        from .services import worker_alive

        readiness_check("worker")(worker_alive)
        if replica_configured():
            readiness_check("replica")(replica_status)
