from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "apps.products"
    label = "products"
    verbose_name = _("Data products and prices")

    def ready(self) -> None:
        from apps.authorizations.gates import authorization_end_hook_register

        from .audit import audit_hooks_register
        from .notify import reminders_register
        from .queues import work_queues_register
        from .services import products_withdraw_with

        audit_hooks_register()
        work_queues_register()
        reminders_register()
        authorization_end_hook_register(products_withdraw_with)
