from django.urls import path

from . import views_department as views

app_name = "department_authorizations"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("authorizations/", views.authorization_list, name="authorizations"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/opinion/", views.application_opinion, name="opinion"),
]
