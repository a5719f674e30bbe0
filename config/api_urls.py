"""The portal's APIs, included at /api/: version 1 and its OpenAPI 3 description."""

from typing import Any

from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.request import Request

from apps.catalog import api as catalog_api


class ApiDocsView(SpectacularSwaggerView):
    """Swagger UI rendered with Django's own request, its user left as the middleware set it.

    The site's context processors read ``request.user``. DRF with UNAUTHENTICATED_USER = None
    sets it to None for an anonymous visitor (on its request and on Django's), where Django's
    middleware has an AnonymousUser. The page is public and shows no user data.
    """

    def perform_authentication(self, request: Request) -> None:
        pass

    def get_renderer_context(self) -> dict[str, Any]:
        context = super().get_renderer_context()
        context["request"] = self.request._request
        return context


v1_patterns = [
    path("catalog/", catalog_api.CatalogEntryListApi.as_view(), name="api-catalog-list"),
    path(
        "catalog/<str:identifier>/",
        catalog_api.CatalogEntryDetailApi.as_view(),
        name="api-catalog-detail",
    ),
]

urlpatterns = [
    # The endpoint URL of the API in the DCAT export; a person who opens it gets the docs.
    path("v1/", RedirectView.as_view(pattern_name="api-docs"), name="api-v1"),
    path("v1/", include(v1_patterns)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]
