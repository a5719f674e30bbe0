"""Downloads of open entries, next to the entry's page (included at the site root)."""

from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("catalog/<str:identifier>/download.csv", views.download_csv, name="download-csv"),
    path("catalog/<str:identifier>/download.xlsx", views.download_xlsx, name="download-xlsx"),
    path("catalog/<str:identifier>/download.jsonl", views.download_jsonl, name="download-jsonl"),
]
