from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from aftersales import api, views
from customers import api as customers_api
from customers.importing import api as import_api
from customers.service_history import api as service_history_api
from followups import api as followups_api
from followups.offers import api as offers_api
from quality import api as quality_api
from quality.audits import api as audits_api
from quality.campaigns import api as campaigns_api
from staff.hiring import api as hiring_api
from staff.mystery import api as mystery_api
from staff.people import api as people_api
from staff.scorecards import api as scorecard_api

# No `.json` suffix routes: `?format=` chooses the renderer, and a suffix route would pass a
# `format` argument that an action's signature need not take.
router = DefaultRouter()
router.include_format_suffixes = False
router.APIRootView = api.StaffAPIRootView
router.register("branches", api.BranchViewSet, basename="api-branch")
router.register(
    "product-categories", customers_api.ProductCategoryViewSet, basename="api-product-category"
)
router.register("products", customers_api.ProductViewSet, basename="api-product")
router.register("customers", customers_api.CustomerViewSet, basename="api-customer")
router.register("purchases", customers_api.PurchaseViewSet, basename="api-purchase")
router.register("imports", import_api.ImportJobViewSet, basename="api-import-job")
router.register(
    "maintenance-schedules",
    service_history_api.MaintenanceScheduleViewSet,
    basename="api-maintenance-schedule",
)
router.register("followups", followups_api.FollowUpViewSet, basename="api-followup")
router.register("playbooks", followups_api.PlaybookViewSet, basename="api-playbook")
router.register("surveys", followups_api.SurveyResponseViewSet, basename="api-survey")
router.register("offer-rules", offers_api.OfferRuleViewSet, basename="api-offer-rule")
router.register("offers", offers_api.OfferViewSet, basename="api-offer")
router.register("complaints", quality_api.ComplaintViewSet, basename="api-complaint")
router.register(
    "dissonance/customers",
    quality_api.DissonanceCustomerViewSet,
    basename="api-dissonance-customer",
)
# quality audits, findings, corrective actions, complaint clusters, campaigns
router.register("audit-templates", audits_api.AuditTemplateViewSet, basename="api-audit-template")
router.register("audits", audits_api.AuditViewSet, basename="api-audit")
router.register("findings", audits_api.FindingViewSet, basename="api-finding")
router.register(
    "corrective-actions", audits_api.CorrectiveActionViewSet, basename="api-corrective-action"
)
router.register(
    "complaint-clusters", campaigns_api.ComplaintClusterViewSet, basename="api-complaint-cluster"
)
router.register("campaigns", campaigns_api.CampaignViewSet, basename="api-campaign")

# staff: appointments, training, coaching, mystery shopping, hiring
router.register("appointments", people_api.AppointmentViewSet, basename="api-appointment")
router.register("trainings", people_api.CourseViewSet, basename="api-training")
router.register(
    "training-records", people_api.TrainingRecordViewSet, basename="api-training-record"
)
router.register(
    "coaching-actions", people_api.CoachingActionViewSet, basename="api-coaching-action"
)
router.register(
    "mystery-shop/templates",
    mystery_api.ScorecardTemplateViewSet,
    basename="api-mystery-shop-template",
)
router.register(
    "mystery-shop/assignments",
    mystery_api.AssignmentViewSet,
    basename="api-mystery-shop-assignment",
)
router.register(
    "mystery-shop/results", mystery_api.ResultViewSet, basename="api-mystery-shop-result"
)
router.register("candidates", hiring_api.CandidateViewSet, basename="api-candidate")

admin.site.site_header = "After-Sales CRM"

api_urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "dissonance/summary/",
        quality_api.DissonanceSummaryView.as_view(),
        name="api-dissonance-summary",
    ),
    # Plain API views, before the router's paths.
    path(
        "staff/<int:id>/scorecard/",
        scorecard_api.EmployeeScorecardView.as_view(),
        name="api-employee-scorecard",
    ),
    path(
        "staff/scorecards/branch/<int:id>/",
        scorecard_api.BranchScorecardView.as_view(),
        name="api-branch-scorecard",
    ),
    path("", include(router.urls)),
]

urlpatterns = [
    # First: an API call is resolved without trying the pages' two hundred patterns one by one
    # (a millisecond of an API list's CPU), and a page tries this one prefix only. The token
    # view (api/auth/token/, in the sign-in URLs) is still found after these.
    path("api/", include(api_urlpatterns)),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.switch_language, name="set_language"),
    path("profile/", views.profile, name="profile"),
    path("", include("aftersales.signin.urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("branches/", views.branch_list, name="branch-list"),
    path("branches/new/", views.branch_create, name="branch-create"),
    path("branches/<int:pk>/", views.branch_update, name="branch-update"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_update, name="user-update"),
    path("team/", views.team, name="team"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job-progress"),
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
    path("", include("customers.urls")),
    path("", include("followups.urls")),
    path("", include("quality.urls")),
    path("", include("staff.urls")),
    path("survey/", include("followups.survey_urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
