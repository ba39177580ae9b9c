"""Pages of the staff app: mystery shopping (namespace "staff", from staff/urls.py)."""

from django.urls import path

from staff.mystery import views

urlpatterns = [
    path("mystery-shop/templates/", views.template_list, name="template-list"),
    path("mystery-shop/templates/new/", views.template_create, name="template-create"),
    path("mystery-shop/templates/<int:pk>/", views.template_detail, name="template-detail"),
    path("mystery-shop/templates/<int:pk>/edit/", views.template_update, name="template-update"),
    path(
        "mystery-shop/templates/<int:pk>/active/",
        views.template_set_active,
        name="template-set-active",
    ),
    path("mystery-shop/assignments/", views.assignment_list, name="assignment-list"),
    path("mystery-shop/assignments/new/", views.assignment_create, name="assignment-create"),
    path("mystery-shop/assignments/<int:pk>/", views.assignment_detail, name="assignment-detail"),
    path(
        "mystery-shop/assignments/<int:pk>/cancel/",
        views.assignment_cancel,
        name="assignment-cancel",
    ),
    path("mystery-shop/results/", views.result_list, name="result-list"),
    path("mystery-shop/results/<int:pk>/", views.result_detail, name="result-detail"),
    path("mystery-shop/results/<int:pk>/accept/", views.result_accept, name="result-accept"),
    path("mystery-shop/results/<int:pk>/return/", views.result_return, name="result-return"),
    path(
        "mystery-shop/results/<int:pk>/attachments/<int:attachment_pk>/",
        views.result_attachment,
        name="result-attachment",
    ),
    # The shopper's own pages.
    path("mystery-shop/my/", views.my_assignments, name="my-assignments"),
    path("mystery-shop/my/<int:pk>/", views.shopper_result, name="shopper-result"),
    path(
        "mystery-shop/my/<int:pk>/attachments/<int:attachment_pk>/remove/",
        views.shopper_attachment_remove,
        name="shopper-attachment-remove",
    ),
]
