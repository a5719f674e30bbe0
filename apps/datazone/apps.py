from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatazoneConfig(AppConfig):
    name = "apps.datazone"
    verbose_name = _("Data zone")
