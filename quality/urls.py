from django.urls import path  # noqa: F401 (the views are added here as they are built)

app_name = "quality"

urlpatterns = []
