from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CkanConfig(AppConfig):
    name = "apps.ckan"
    verbose_name = _("CKAN-compatible catalog API")
