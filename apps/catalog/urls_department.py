app_name = "department_catalog"
urlpatterns: list = []
