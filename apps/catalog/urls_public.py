"""Public catalog pages, feeds and DCAT-AP exports; included at the site root."""

from django.urls import path

from . import views_public
from .feeds import NewEntriesAtomFeed, NewEntriesRssFeed

app_name = "catalog"
urlpatterns = [
    path("catalog/", views_public.catalog_list, name="list"),
    path("catalog/feed.rss", NewEntriesRssFeed(), name="feed-rss"),
    path("catalog/feed.atom", NewEntriesAtomFeed(), name="feed-atom"),
    path(
        "catalog/<str:identifier>.ttl",
        views_public.catalog_entry_dcat_turtle,
        name="entry-dcat-turtle",
    ),
    path(
        "catalog/<str:identifier>.jsonld",
        views_public.catalog_entry_dcat_jsonld,
        name="entry-dcat-jsonld",
    ),
    path("catalog/<str:identifier>/", views_public.catalog_detail, name="detail"),
    path("catalog.jsonld", views_public.catalog_dcat_jsonld, name="dcat-jsonld"),
    path("catalog.ttl", views_public.catalog_dcat_turtle, name="dcat-turtle"),
    path("catalog.rdf", views_public.catalog_dcat_rdfxml, name="dcat-rdfxml"),
    path("policies/odrl/", views_public.odrl_profile, name="odrl-profile"),
]
