"""Pages of people: appointments, training and coaching (namespace "staff", from staff/urls.py)."""

from django.urls import path

from staff.people import views

urlpatterns = [
    path("appointments/", views.appointment_list, name="appointment-list"),
    path("appointments/new/", views.appointment_create, name="appointment-create"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment-detail"),
    path("appointments/<int:pk>/edit/", views.appointment_update, name="appointment-update"),
    path("appointments/<int:pk>/start/", views.appointment_start, name="appointment-start"),
    path("appointments/<int:pk>/no-show/", views.appointment_no_show, name="appointment-no-show"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment-cancel"),
    path("training/courses/", views.course_list, name="course-list"),
    path("training/courses/new/", views.course_create, name="course-create"),
    path("training/courses/<int:pk>/", views.course_detail, name="course-detail"),
    path("training/courses/<int:pk>/edit/", views.course_update, name="course-update"),
    path("training/records/new/", views.training_record_create, name="training-record-create"),
    path(
        "training/records/<int:pk>/",
        views.training_record_detail,
        name="training-record-detail",
    ),
    path(
        "training/records/<int:pk>/certificate/",
        views.training_certificate,
        name="training-certificate",
    ),
    path("training/compliance/", views.training_compliance, name="training-compliance"),
    path("training/people/<int:pk>/", views.training_employee, name="training-employee"),
    path("training/mine/", views.my_training, name="my-training"),
    path("coaching/", views.coaching_list, name="coaching-list"),
    path("coaching/new/", views.coaching_create, name="coaching-create"),
    path("coaching/<int:pk>/", views.coaching_detail, name="coaching-detail"),
    path("coaching/<int:pk>/edit/", views.coaching_update, name="coaching-update"),
    path("coaching/<int:pk>/complete/", views.coaching_complete, name="coaching-complete"),
    path("coaching/<int:pk>/cancel/", views.coaching_cancel, name="coaching-cancel"),
]
