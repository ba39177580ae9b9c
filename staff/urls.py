"""The staff app's pages, namespace "staff". Each area keeps its routes in its own module."""

from staff import hiring_urls, mystery_urls, scorecard_urls

app_name = "staff"

# Appointments, training and coaching.
people_urlpatterns = []

urlpatterns = [
    *people_urlpatterns,
    *mystery_urls.urlpatterns,
    *hiring_urls.urlpatterns,
    *scorecard_urls.urlpatterns,
]
