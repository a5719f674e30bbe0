"""The portal's APIs, included at /api/: version 1 and its OpenAPI 3 description."""

from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.api import views_account
from apps.catalog import api as catalog_api

v1_patterns = [
    path("catalog/", catalog_api.CatalogEntryListApi.as_view(), name="api-catalog-list"),
    path(
        "catalog/<str:identifier>/",
        catalog_api.CatalogEntryDetailApi.as_view(),
        name="api-catalog-detail",
    ),
    path(
        "authorizations/",
        views_account.AuthorizationListApi.as_view(),
        name="api-authorizations",
    ),
    path("usage/", views_account.UsageApi.as_view(), name="api-usage"),
]

urlpatterns = [
    # The endpoint URL of the API in the DCAT export; a person who opens it gets the docs.
    path("v1/", RedirectView.as_view(pattern_name="api-docs"), name="api-v1"),
    path("v1/", include(v1_patterns)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
