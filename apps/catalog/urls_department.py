from django.urls import path

from . import views_department as views

app_name = "department_catalog"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("new/", views.entry_create, name="create"),
    path("<str:identifier>/", views.entry_detail, name="detail"),
    path("<str:identifier>/edit/", views.entry_edit, name="edit"),
    path("<str:identifier>/submit/", views.entry_submit, name="submit"),
    path("<str:identifier>/confirm/", views.entry_confirm, name="confirm"),
]
