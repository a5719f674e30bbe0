from django.urls import path

from . import views_operator as views

app_name = "operator_revenue"
urlpatterns = [
    path("", views.report_list, name="reports"),
    path("new/", views.report_create, name="report-create"),
    path("<int:pk>/", views.report_detail, name="report-detail"),
    path("<int:pk>/correct/", views.report_correct, name="report-correct"),
    path("<int:pk>/attachment/", views.report_attachment, name="report-attachment"),
    path("annual/<int:year>/", views.annual_report, name="annual-report"),
    path("annual/<int:year>/xlsx/", views.annual_report_xlsx, name="annual-report-xlsx"),
]
