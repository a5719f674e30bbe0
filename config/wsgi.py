import os

from django.core.wsgi import get_wsgi_application

from apps.core.delivery import DeliveryTrackingApplication

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
# Knows whether each response reached its client in full (metering charges only those).
application = DeliveryTrackingApplication(get_wsgi_application())
