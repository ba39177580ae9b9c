"""Pages of the staff app: scorecards (namespace "staff", from staff/urls.py)."""

from django.urls import path

from staff.scorecards import views

urlpatterns = [
    path("scorecards/", views.scorecard_index, name="scorecards"),
    path("scorecards/me/", views.my_scorecard, name="my-scorecard"),
    path(
        "scorecards/staff/<int:pk>/",
        views.employee_scorecard,
        name="employee-scorecard",
    ),
    path(
        "scorecards/branches/<int:pk>/",
        views.branch_scorecard,
        name="branch-scorecard",
    ),
    path(
        "scorecards/branches/<int:pk>/export/",
        views.branch_scorecard_export,
        name="branch-scorecard-export",
    ),
]
