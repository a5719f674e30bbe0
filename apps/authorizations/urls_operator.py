app_name = "operator_authorizations"
urlpatterns: list = []
