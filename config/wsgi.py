import os

from django.core.wsgi import get_wsgi_application

from apps.core.delivery import DeliveryTrackingApplication
from config.handlers import ApiWSGIHandler, PathScopedApplication
from config.warmup import warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
pages = get_wsgi_application()  # sets Django up before the API's handler loads its middleware
# /api/v1/ runs through the API's short middleware stack, every page through the full one
# (config/handlers.py). Knows whether each response reached its client in full (metering
# charges only those).
application = DeliveryTrackingApplication(PathScopedApplication(pages=pages, api=ApiWSGIHandler()))
warm_up()
