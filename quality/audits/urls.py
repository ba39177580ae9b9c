from django.urls import path

from quality.audits import views

urlpatterns = [
    path("audits/", views.plan, name="audit-plan"),
    path("audits/templates/", views.template_list, name="audit-template-list"),
    path("audits/templates/new/", views.template_create, name="audit-template-create"),
    path("audits/templates/<int:pk>/", views.template_detail, name="audit-template-detail"),
    path("audits/templates/<int:pk>/edit/", views.template_update, name="audit-template-update"),
    path("audits/<int:pk>/", views.audit_detail, name="audit-detail"),
    path("audits/<int:pk>/sign-off/", views.audit_sign_off, name="audit-sign-off"),
    path("audits/<int:pk>/photos/<int:photo_pk>/", views.audit_photo, name="audit-photo"),
    path("audits/<int:pk>/invoices/", views.invoice_sample_add, name="audit-invoice-add"),
    path(
        "audits/<int:pk>/invoices/<int:sample_pk>/remove/",
        views.invoice_sample_remove,
        name="audit-invoice-remove",
    ),
    path(
        "audits/<int:pk>/communication/", views.communication_draw, name="audit-communication-draw"
    ),
    path(
        "audits/<int:pk>/communication/<int:sample_pk>/",
        views.communication_rate,
        name="audit-communication-rate",
    ),
    path("findings/", views.finding_list, name="finding-list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("findings/<int:pk>/actions/", views.action_add, name="finding-action-add"),
    path("corrective-actions/", views.action_list, name="action-list"),
    *(
        path(
            f"corrective-actions/<int:pk>/{step}/",
            views.action_step,
            {"step": step},
            name=f"action-{step}",
        )
        for step in views.ACTION_STEPS
    ),
    path(
        "complaints/<int:pk>/root-cause/",
        views.complaint_root_cause,
        name="complaint-root-cause",
    ),
    path("quality/", views.dashboard_page, name="qm-dashboard"),
    path("quality/export/", views.dashboard_export, name="qm-dashboard-export"),
    path(
        "quality/products/<int:product_pk>/complaints/",
        views.product_complaints,
        name="qm-product-complaints",
    ),
]
