from django.urls import path

from . import views

app_name = "cdo"
urlpatterns = [path("", views.department_cdo, name="department")]
