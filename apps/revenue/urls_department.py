from django.urls import path

from . import views_ledger as views

app_name = "department_revenue"
urlpatterns = [
    path("", views.department_index, name="index"),
    path("export.csv", views.department_csv, name="export-csv"),
    path("export.xlsx", views.department_xlsx, name="export-xlsx"),
]
