"""A server for the operator API alone: ``gunicorn config.api_wsgi``, with the proxy sending
``/api/v1/`` to it. Only the API's middleware stack (settings.API_MIDDLEWARE) is loaded; any other
path answers 404 in the API's error shape."""

import os

import django

from apps.core.delivery import DeliveryTrackingApplication

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
django.setup(set_prefix=False)

from config.handlers import ApiWSGIHandler  # noqa: E402
from config.warmup import warm_up  # noqa: E402

application = DeliveryTrackingApplication(ApiWSGIHandler())
warm_up()
