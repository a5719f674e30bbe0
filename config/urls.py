from django.contrib import admin
from django.urls import include, path

# Uploaded files are never served from MEDIA_URL: each download goes through a view that checks
# who is asking (../shared/library-notes.md §7).
urlpatterns = [
    path("", include("apps.core.urls")),
    path("", include("apps.catalog.urls_public")),
    path("", include("apps.authorizations.urls_public")),
    path("departments/catalog/", include("apps.catalog.urls_department")),
    path("departments/applications/", include("apps.authorizations.urls_department")),
    path("operator/", include("apps.authorizations.urls_operator")),
    path("operator/api-keys/", include("apps.api.urls_keys")),
    path("departments/data/", include("apps.datazone.urls")),
    path("api/", include("config.api_urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
