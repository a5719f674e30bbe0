"""CKAN's action API at the paths CKAN clients call; included at the site root."""

from django.urls import path

from . import views

app_name = "ckan"
urlpatterns = [
    path("api/3/action/<str:name>", views.action, name="action"),
    path("api/action/<str:name>", views.action, name="action-unversioned"),
    path("api/3", views.api_root, name="root"),
    path("api/ckan/", views.docs, name="docs"),
]
