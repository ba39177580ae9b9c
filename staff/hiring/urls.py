"""Pages of the staff app: hiring (aptitude assessments of candidates)."""

from django.urls import path

from staff.hiring import views

urlpatterns = [
    path("candidates/", views.candidate_list, name="candidate-list"),
    path("candidates/new/", views.candidate_create, name="candidate-create"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate-detail"),
    path("candidates/<int:pk>/edit/", views.candidate_update, name="candidate-update"),
    path("candidates/<int:pk>/assessment/", views.assessment_edit, name="candidate-assessment"),
    path("candidates/<int:pk>/decide/", views.candidate_decide, name="candidate-decide"),
    path("candidates/<int:pk>/delete/", views.candidate_delete, name="candidate-delete"),
]
