from django.urls import path

from . import views, views_assessment

app_name = "cdo"
urlpatterns = [
    path("", views.department_cdo, name="department"),
    path("assessment/", views_assessment.department_assessment, name="department-assessment"),
]
