from django.urls import path

from . import views_public as views

app_name = "products"
urlpatterns = [
    path("prices/", views.price_list, name="prices"),
    path("prices.csv", views.price_list_csv, name="prices-csv"),
    path("products/<int:pk>/", views.product_page, name="product"),
    path("disclosure/annual/<int:year>/", views.disclosure_year, name="disclosure-year"),
    path(
        "disclosure/annual/<int:year>/<int:pk>.csv",
        views.disclosure_download,
        name="disclosure-csv",
    ),
]
