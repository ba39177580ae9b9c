"""The customer's survey pages, included at `survey/` (namespace "surveys"); no login."""

from django.urls import path

from followups import survey_views

app_name = "surveys"

urlpatterns = [
    path("<str:token>/", survey_views.answer, name="answer"),
    path("<str:token>/thanks/", survey_views.thanks, name="thanks"),
]
