from django.urls import path

from . import views_operator as views

app_name = "operator_authorizations"
urlpatterns = [
    path("qualifications/", views.qualification_list, name="qualifications"),
    path("qualifications/new/", views.qualification_create, name="qualification-create"),
    path(
        "qualifications/<int:pk>/document/",
        views.qualification_document,
        name="qualification-document",
    ),
    path("scenarios/", views.scenario_list, name="scenarios"),
    path("scenarios/new/", views.scenario_create, name="scenario-create"),
    path("applications/", views.application_list, name="applications"),
    path("applications/new/", views.application_create, name="application-create"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path(
        "applications/<int:pk>/withdraw/",
        views.application_withdraw,
        name="application-withdraw",
    ),
    path("authorizations/", views.authorization_list, name="authorizations"),
]
