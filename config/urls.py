from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy

from apps.api import urls_usage

# The bureau's admin carries the portal's name, not "Django administration".
admin.site.site_header = gettext_lazy("City Data Bureau · Public Data Portal")
admin.site.site_title = gettext_lazy("Public Data Portal")
admin.site.index_title = gettext_lazy("Administration")

# Uploaded files are never served from MEDIA_URL: each download goes through a view that checks
# who is asking (../shared/library-notes.md §7).
urlpatterns = [
    path("", include("apps.core.urls")),
    path("", include("apps.catalog.urls_public")),
    path("", include("apps.opendata.urls")),
    path("", include("apps.authorizations.urls_public")),
    path("", include("apps.registration.urls_public")),
    path("", include("apps.products.urls_public")),
    path("departments/catalog/", include("apps.catalog.urls_department")),
    path("departments/applications/", include("apps.authorizations.urls_department")),
    path("departments/registrations/", include("apps.registration.urls_department")),
    path("operator/", include("apps.authorizations.urls_operator")),
    path("operator/api-keys/", include("apps.api.urls_keys")),
    path("operator/usage/", include(urls_usage.operator_patterns)),
    path("departments/usage/", include(urls_usage.department_patterns)),
    path("departments/data/", include("apps.datazone.urls")),
    path("departments/cdo/", include("apps.cdo.urls")),
    path("", include("apps.reporting.urls")),
    path("operator/revenue/", include("apps.revenue.urls_operator")),
    path("operator/products/", include("apps.products.urls_operator")),
    path("operator/registrations/", include("apps.registration.urls_operator")),
    path("departments/revenue/", include("apps.revenue.urls_department")),
    path("bureau/revenue/", include("apps.revenue.urls_bureau")),
    path("", include("apps.ckan.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("api/", include("config.api_urls")),
    path("accounts/two-factor/", include("apps.twofactor.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# A database outage that surfaces outside a view is a 503 too (apps/core/outage.py).
handler500 = "apps.core.outage.server_error"
