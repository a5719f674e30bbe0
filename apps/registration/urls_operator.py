from django.urls import path

from . import views_operator as views

app_name = "operator_registration"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.application_create, name="create"),
    path("<int:pk>/", views.application_detail, name="detail"),
]
