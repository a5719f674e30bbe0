from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from .audit import audit_hooks_register

        audit_hooks_register()
        from .queues import work_queues_register

        work_queues_register()
        from .home import home_register

        home_register()
        from .receivers import listing_receivers_connect

        listing_receivers_connect()
