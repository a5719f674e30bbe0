from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the portal: backup and the check after a restore. The top layer, since it reads
    what every app stores."""

    name = "apps.operations"
    verbose_name = _("Operations")
