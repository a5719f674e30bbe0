from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path(
        "departments/cdo/assessment/",
        views.department_assessment,
        name="department-assessment",
    ),
    path("bureau/assessment/", views.bureau_assessment, name="bureau-assessment"),
]
