from django.urls import path

from followups import views
from followups.offers import urls as offer_urls

app_name = "followups"

urlpatterns = [
    path("followups/", views.inbox, name="inbox"),
    path("followups/team/", views.team, name="team"),
    path("followups/<int:pk>/", views.followup_detail, name="followup-detail"),
    path("followups/<int:pk>/row/", views.followup_row, name="followup-row"),
    path("followups/<int:pk>/complete/", views.followup_complete, name="followup-complete"),
    path("followups/<int:pk>/reassign/", views.followup_reassign, name="followup-reassign"),
    path("followups/<int:pk>/snooze/", views.followup_snooze, name="followup-snooze"),
    path("playbooks/", views.playbook_list, name="playbook-list"),
    path("playbooks/new/", views.playbook_create, name="playbook-create"),
    path("playbooks/<int:pk>/", views.playbook_detail, name="playbook-detail"),
    path("playbooks/<int:pk>/edit/", views.playbook_update, name="playbook-update"),
    path("playbooks/<int:pk>/replan/", views.playbook_replan, name="playbook-replan"),
    # Cross-selling: offer rules, offers, figures (followups/offers).
    *offer_urls.urlpatterns,
]
