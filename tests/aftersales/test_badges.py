"""State badges: one palette per model, one filter for every template."""

import datetime

import pytest
from django.template import Context, Template

from customers.models import Purchase
from followups.models import FollowUp
from quality.models import Complaint
from staff.hiring.models import Candidate
from staff.people.models import CoachingAction
from tests.followups.factories import FollowUpFactory

PALETTES = [Purchase, FollowUp, Complaint, Candidate, CoachingAction]


@pytest.mark.parametrize("model", PALETTES, ids=lambda model: model.__name__)
def test_every_status_has_its_own_colour(model):
    """A status added later without a colour would silently render grey."""
    assert set(model.Status.values) <= set(model.STATUS_BADGES)


def test_the_filter_renders_a_states_colour_and_grey_for_an_unknown_one():
    template = Template("{% load aftersales_tags %}{{ state|badge:palette }}")
    palette = Complaint.STATUS_BADGES

    assert template.render(Context({"state": "resolved", "palette": palette})) == "text-bg-success"
    assert template.render(Context({"state": "gone", "palette": palette})) == "text-bg-secondary"


def test_an_open_follow_up_past_due_shows_overdue(db):
    followup = FollowUpFactory(due_date=datetime.date(2000, 1, 1))

    assert followup.shown_state == FollowUp.OVERDUE
    assert FollowUp.STATUS_BADGES[followup.shown_state] == "text-bg-danger"
