"""The staff app's pages, namespace "staff": each domain's routes (staff/<domain>/urls.py) in one
list, in the order they are matched."""

from staff.hiring import urls as hiring_urls
from staff.mystery import urls as mystery_urls
from staff.people import urls as people_urls
from staff.scorecards import urls as scorecard_urls

app_name = "staff"

urlpatterns = [
    *people_urls.urlpatterns,
    *mystery_urls.urlpatterns,
    *hiring_urls.urlpatterns,
    *scorecard_urls.urlpatterns,
]
