from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "apps.opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from apps.api.views_usage import DEPARTMENT_USAGE_PAGE
        from apps.catalog.sections import entry_page_section_register
        from apps.core.sections import page_section_register

        from .sections import department_usage_section, entry_page_section

        entry_page_section_register(entry_page_section)
        page_section_register(DEPARTMENT_USAGE_PAGE, department_usage_section)
