from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Reports that read several domain apps (the data supply assessment): the layer above them,
    so that no domain app imports another one's models only to count them."""

    name = "apps.reporting"
    verbose_name = _("Reporting")
