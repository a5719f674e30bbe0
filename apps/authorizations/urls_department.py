app_name = "department_authorizations"
urlpatterns: list = []
