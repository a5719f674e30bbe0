"""Usage pages, included twice from config/urls.py: under operator/usage/ for operators and under
departments/usage/ for providing departments, each with its own namespace."""

from django.urls import URLPattern, path

from . import views_usage as views

operator_patterns: tuple[list[URLPattern], str] = (
    [path("", views.operator_usage, name="index")],
    "operator_usage",
)
department_patterns: tuple[list[URLPattern], str] = (
    [path("", views.department_usage, name="index")],
    "department_usage",
)
