"""The portal's APIs, included at /api/: version 1 and its OpenAPI 3 description."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.api import views_account, views_aggregate, views_data, views_records, views_verify
from apps.catalog import api as catalog_api
from apps.opendata import api as open_api
from apps.products import api as products_api
from apps.revenue import api as revenue_api

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
    path("datasets/", views_data.DatasetListApi.as_view(), name="api-dataset-list"),
    path(
        "datasets/<str:identifier>/",
        views_data.DatasetDetailApi.as_view(),
        name="api-dataset-detail",
    ),
    path(
        "datasets/<str:identifier>/records/",
        views_records.DatasetRecordsApi.as_view(),
        name="api-dataset-records",
    ),
    path(
        "datasets/<str:identifier>/aggregate/",
        views_aggregate.DatasetAggregateApi.as_view(),
        name="api-dataset-aggregate",
    ),
    path(
        "datasets/<str:identifier>/verify/",
        views_verify.DatasetVerifyApi.as_view(),
        name="api-dataset-verify",
    ),
    path("open/<str:identifier>/", open_api.OpenEntryApi.as_view(), name="api-open-detail"),
    path(
        "open/<str:identifier>/records/",
        open_api.OpenRecordsApi.as_view(),
        name="api-open-records",
    ),
    path(
        "revenue-reports/",
        revenue_api.revenue_reports_route,
        name="api-revenue-reports",
    ),
    path("products/", products_api.products_route, name="api-products"),
    path(
        "products/<str:product>/prices/",
        products_api.ProductPriceApi.as_view(),
        name="api-product-prices",
    ),
]

urlpatterns = [
    # The endpoint URL of the API in the DCAT export; a person who opens it gets the docs.
    path("v1/", RedirectView.as_view(pattern_name="api-docs"), name="api-v1"),
    path("v1/", include(v1_patterns)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The page's title in the reader's language (the schema's own title stays as clients read it).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", title=_("Public data portal API")
        ),
        name="api-docs",
    ),
]
