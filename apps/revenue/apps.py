from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RevenueConfig(AppConfig):
    name = "apps.revenue"
    verbose_name = _("Revenue")

    def ready(self) -> None:
        from .audit import audit_hooks_register

        audit_hooks_register()
        from .queues import work_queues_register

        work_queues_register()
        from . import checks  # noqa: F401 - registers the fee rule check
