from django.urls import path

from . import views_ledger as views

app_name = "bureau_revenue"
urlpatterns = [
    path("", views.bureau_index, name="index"),
    path("ledger.csv", views.bureau_csv, name="ledger-csv"),
    path("ledger.xlsx", views.bureau_xlsx, name="ledger-xlsx"),
    path("annual/", views.bureau_annual_report_pick, name="annual-report-pick"),
    path(
        "annual/<int:operator_id>/<int:year>/",
        views.bureau_annual_report,
        name="annual-report",
    ),
    path(
        "annual/<int:operator_id>/<int:year>/xlsx/",
        views.bureau_annual_report_xlsx,
        name="annual-report-xlsx",
    ),
]
