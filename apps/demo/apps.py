from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data of every app, put together by ``manage.py seed_demo``: the top layer, since
    it composes them all."""

    name = "apps.demo"
    verbose_name = _("Demo data")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deploy check
