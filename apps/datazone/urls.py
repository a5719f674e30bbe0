from django.urls import path

from . import views

app_name = "datazone"
urlpatterns = [
    path("<str:identifier>/", views.versions, name="versions"),
    path(
        "<str:identifier>/versions/<int:number>/progress.json",
        views.progress,
        name="progress",
    ),
    path("<str:identifier>/versions/<int:number>/errors.csv", views.errors, name="errors"),
    path("<str:identifier>/versions/<int:number>/confirm/", views.confirm, name="confirm"),
]
