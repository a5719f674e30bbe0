from django.urls import path

from . import views_assessment

app_name = "bureau_assessment"
urlpatterns = [path("", views_assessment.bureau_assessment, name="index")]
