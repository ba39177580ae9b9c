"""The service history's pages (joined into customers.urls under the app's namespace)."""

from django.urls import path

from customers.service_history import views

urlpatterns = [
    path(
        "purchases/<int:pk>/declined-work/",
        views.declined_work_add,
        name="declined-work-add",
    ),
    path(
        "declined-work/<int:pk>/close/",
        views.declined_work_close,
        name="declined-work-close",
    ),
    path("catalogue/maintenance/", views.schedule_list, name="schedule-list"),
    path("catalogue/maintenance/new/", views.schedule_create, name="schedule-create"),
    path("catalogue/maintenance/<int:pk>/", views.schedule_update, name="schedule-update"),
]
