app_name = "datazone"
urlpatterns: list = []
