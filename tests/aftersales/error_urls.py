"""The project's URLs plus views that fail, for the error page tests."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from aftersales.urls import urlpatterns as project_urlpatterns


def bad_request(request):
    raise SuspiciousOperation("tampered")


def server_error(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("fail/400/", bad_request),
    path("fail/500/", server_error),
    *project_urlpatterns,
]
