from django.urls import path

from . import views_operator as views

app_name = "operator_products"
urlpatterns = [
    path("", views.product_list, name="list"),
    path("new/", views.product_create, name="create"),
    path("<int:pk>/", views.product_detail, name="detail"),
    path("<int:pk>/price/", views.product_price, name="price"),
    path("<int:pk>/withdraw/", views.product_withdraw, name="withdraw"),
    path("<int:pk>/resubmit/", views.product_resubmit, name="resubmit"),
    path("ceiling/", views.ceiling_list, name="ceilings"),
    path("ceiling/new/", views.ceiling_create, name="ceiling-create"),
    path("ceiling/<int:year>/", views.ceiling_year, name="ceiling-year"),
    path("revenue/<int:pk>/", views.report_breakdown, name="report-breakdown"),
    path("disclosures/", views.disclosure_list, name="disclosures"),
    path("disclosures/prepare/", views.disclosure_prepare, name="disclosure-prepare"),
    path("disclosures/<int:pk>/", views.disclosure_detail, name="disclosure"),
]
