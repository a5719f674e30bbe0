from django.urls import path

from . import views_public as views

app_name = "registration"
urlpatterns = [
    path("registrations/", views.registration_list, name="list"),
    path("registrations/registrations.csv", views.registration_csv, name="csv"),
    path("registrations/lookup/", views.registration_lookup, name="lookup"),
    path("registrations/notices/<int:pk>/objections/", views.objection_create, name="object"),
    path("registrations/<str:code>/", views.registration_certificate, name="certificate"),
]
