from django.urls import path

from quality import dashboard_views, views
from quality.audits import urls as audit_urls
from quality.campaigns import urls as campaign_urls

app_name = "quality"

urlpatterns = [
    path("complaints/", views.complaint_list, name="complaint-list"),
    path("complaints/new/", views.complaint_create, name="complaint-create"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint-detail"),
    path(
        "complaints/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment,
        name="attachment",
    ),
    path("complaints/<int:pk>/correct/", views.complaint_correct, name="complaint-correct"),
    *(
        path(
            f"complaints/<int:pk>/{action}/",
            views.complaint_action,
            {"action": action},
            name=f"complaint-{action}",
        )
        for action in views.PERFORM
    ),
    # The dissonance dashboard (quality/dashboard_views.py).
    path("dissonance/", dashboard_views.dashboard_page, name="dashboard"),
    path("dissonance/customers/", dashboard_views.dashboard_customers, name="dashboard-customers"),
    path("dissonance/list/", dashboard_views.dashboard_list, name="dashboard-signals"),
    path("dissonance/export/", dashboard_views.dashboard_export, name="dashboard-export"),
    # Quality audits, findings, corrective actions and the quality dashboard (quality/audits).
    *audit_urls.urlpatterns,
    # Complaint clusters and campaigns (quality/campaigns).
    *campaign_urls.urlpatterns,
]
