"""Public transparency pages (no login); included at the site root."""

from django.urls import path

from . import views_public

app_name = "authorizations"
urlpatterns = [
    path("disclosure/", views_public.disclosure, name="disclosure"),
    path("disclosure.csv", views_public.disclosure_csv, name="disclosure-csv"),
    path("disclosure/<int:pk>.jsonld", views_public.disclosure_policy, name="disclosure-policy"),
    path("scenarios/", views_public.scenarios, name="scenarios"),
]
