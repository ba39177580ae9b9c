"""Pages of the staff app: scorecards (staff/scorecard_views.py)."""

from django.urls import path

from staff import scorecard_views

urlpatterns = [
    path("scorecards/", scorecard_views.scorecard_index, name="scorecards"),
    path("scorecards/me/", scorecard_views.my_scorecard, name="my-scorecard"),
    path(
        "scorecards/staff/<int:pk>/",
        scorecard_views.employee_scorecard,
        name="employee-scorecard",
    ),
    path(
        "scorecards/branches/<int:pk>/",
        scorecard_views.branch_scorecard,
        name="branch-scorecard",
    ),
    path(
        "scorecards/branches/<int:pk>/export/",
        scorecard_views.branch_scorecard_export,
        name="branch-scorecard-export",
    ),
]
