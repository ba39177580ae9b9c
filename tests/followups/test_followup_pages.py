"""The follow-up page and its three actions: complete, reassign, snooze; access per persona."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from aftersales.models import Notification
from followups.models import BranchPolicy, ContactEvent, FollowUp, PublicHoliday, Purpose
from followups.signals import followup_completed
from tests.followups.factories import PlaybookFactory, PlaybookStepFactory, planned_purchase

TODAY = date(2026, 6, 10)  # a Wednesday
HANDOVER = date(2026, 6, 3)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(
        datetime(2026, 6, 10, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")), tick=False
    ):
        yield


@pytest.fixture
def followup(owner, north):
    """The owner's check-in a week after handover: due today."""
    playbook = PlaybookFactory(name="New cars")
    PlaybookStepFactory(
        playbook=playbook,
        offset_days=7,
        title="One-week check-in",
        instructions="Ask about wind noise at motorway speed.",
    )
    purchase = planned_purchase(
        branch=north, salesperson=owner, handover=HANDOVER, playbook=playbook
    )
    return purchase.followups.get()


def complete_url(followup):
    return reverse("followups:followup-complete", args=[followup.pk])


# --- Detail page and access ---


def test_detail_shows_customer_purchase_and_the_callers_instructions(login, owner, followup):
    response = login(owner).get(followup.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ask about wind noise at motorway speed." in page
    assert followup.customer.display_name in page
    assert followup.purchase.lines.get().product.name in page
    assert "Record the outcome" in page
    assert 'id="reassign"' in page
    assert 'id="snooze"' in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("owner", 200),
        ("colleague", 200),
        ("manager", 200),
        ("quality_manager", 200),
        ("admin_user", 200),
        ("outsider", 404),
        ("shopper", 403),
    ],
)
def test_who_may_open_a_followup(login, request, followup, persona, status):
    user = request.getfixturevalue(persona)
    assert login(user).get(followup.get_absolute_url()).status_code == status


def test_quality_manager_reads_but_does_not_get_the_forms(login, quality_manager, followup):
    page = login(quality_manager).get(followup.get_absolute_url()).content.decode()
    assert "Record the outcome" not in page
    response = login(quality_manager).post(complete_url(followup), {"outcome": "satisfied"})
    assert response.status_code == 403


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("shopper", 403)])
@pytest.mark.parametrize("action", ["complete", "reassign", "snooze"])
def test_outsiders_cannot_act(login, request, followup, persona, status, action):
    user = request.getfixturevalue(persona)
    url = reverse(f"followups:followup-{action}", args=[followup.pk])
    assert login(user).post(url, {"outcome": "satisfied"}).status_code == status
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.OPEN


def test_opening_an_action_without_htmx_goes_to_the_detail_page(login, owner, followup):
    response = login(owner).get(complete_url(followup))
    assert response.status_code == 302
    assert response.url == f"{followup.get_absolute_url()}#complete"


# --- Complete ---


def test_owner_completes_a_followup(login, owner, followup):
    received = []

    def receiver(sender, followup, outcome, by, **kwargs):
        received.append(outcome)

    followup_completed.connect(receiver)
    try:
        response = login(owner).post(
            complete_url(followup),
            {"outcome": "satisfied", "satisfaction": "5", "notes": "Very happy with the car."},
            follow=True,
        )
    finally:
        followup_completed.disconnect(receiver)
    assert response.redirect_chain == [(reverse("followups:inbox"), 302)]
    assert "Follow-up completed: reached and satisfied." in response.content.decode()
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.DONE
    assert followup.satisfaction == 5
    assert followup.notes == "Very happy with the car."
    assert followup.completed_by == owner
    contact = ContactEvent.objects.get(followup=followup)
    assert contact.by == owner
    assert contact.customer == followup.customer
    assert received == ["satisfied"]


def test_colleague_of_the_branch_can_complete_the_owners_followup(login, colleague, followup):
    response = login(colleague).post(complete_url(followup), {"outcome": "declined"})
    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.DONE
    assert followup.completed_by == colleague


def test_a_concern_needs_its_description(login, owner, followup):
    response = login(owner).post(
        complete_url(followup), {"outcome": "concern", "satisfaction": "2"}
    )
    assert response.status_code == 200
    form = response.context["complete_form"]
    assert form.errors["concern"] == ["Describe the customer's concern."]
    assert "Describe the customer" in response.content.decode()
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.OPEN


def test_a_concern_with_description_is_recorded(login, owner, followup):
    login(owner).post(
        complete_url(followup),
        {"outcome": "concern", "satisfaction": "2", "concern": "Rattle in the dashboard."},
    )
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.DONE
    assert followup.outcome == FollowUp.Outcome.CONCERN
    assert followup.concern == "Rattle in the dashboard."


def test_an_outcome_must_be_chosen(login, owner, followup):
    response = login(owner).post(complete_url(followup), {"notes": "?"})
    assert response.context["complete_form"].errors["outcome"] == ["Choose how the contact went."]


def test_the_survey_outcome_sent_is_not_offered(login, owner, followup):
    response = login(owner).post(complete_url(followup), {"outcome": "sent"})
    assert "outcome" in response.context["complete_form"].errors


def test_not_reached_tries_again_on_the_next_working_day(login, owner, followup):
    response = login(owner).post(complete_url(followup), {"outcome": "not_reached"}, follow=True)
    assert "Not reached (attempt 1)" in response.content.decode()
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.OPEN
    assert followup.attempts == 1
    assert followup.due_date == date(2026, 6, 11)
    assert not ContactEvent.objects.filter(followup=followup).exists()


def test_not_reached_too_often_becomes_missed(login, owner, north, followup):
    BranchPolicy.objects.create(branch=north, max_attempts=2)
    client = login(owner)
    client.post(complete_url(followup), {"outcome": "not_reached"})
    response = client.post(complete_url(followup), {"outcome": "not_reached"}, follow=True)
    assert "counts as missed" in response.content.decode()
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.MISSED


def test_a_done_followup_cannot_be_completed_again(login, owner, followup):
    client = login(owner)
    client.post(complete_url(followup), {"outcome": "satisfied"})
    response = client.post(complete_url(followup), {"outcome": "declined"})
    # The page shows the follow-up as done and says why nothing happened.
    assert response.status_code == 200
    assert "already done" in response.content.decode()
    followup.refresh_from_db()
    assert followup.outcome == FollowUp.Outcome.SATISFIED


def test_after_completing_a_local_next_is_followed_but_not_a_foreign_one(
    login, owner, followup, colleague, north
):
    client = login(owner)
    response = client.post(
        complete_url(followup), {"outcome": "satisfied", "next": "https://evil.example.com/"}
    )
    assert response.url == reverse("followups:inbox")
    other = planned_purchase(
        branch=north, salesperson=owner, handover=HANDOVER, playbook=followup.step.playbook
    ).followups.get()
    response = client.post(
        complete_url(other), {"outcome": "satisfied", "next": reverse("followups:team")}
    )
    assert response.url == reverse("followups:team")


def test_opened_from_another_page_the_forms_return_there(login, owner, followup):
    back = "/dissonance/?level=high"
    page = login(owner).get(followup.get_absolute_url(), {"next": back}).content.decode()
    # Each of the three forms carries the way back, and the page links back.
    assert page.count('<input type="hidden" name="next" value="/dissonance/?level=high">') == 3
    assert '<a href="/dissonance/?level=high">Back to where you came from</a>' in page
    response = login(owner).post(complete_url(followup), {"outcome": "satisfied", "next": back})
    assert response.status_code == 302
    assert response.url == back


@pytest.mark.parametrize(
    "foreign", ["https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)"]
)
def test_a_foreign_next_is_neither_shown_nor_followed(login, owner, followup, foreign):
    client = login(owner)
    page = client.get(followup.get_absolute_url(), {"next": foreign}).content.decode()
    assert '<input type="hidden" name="next"' not in page
    assert f'href="{foreign}"' not in page
    assert "Back to where you came from" not in page
    response = client.post(
        snooze_url(followup), {"until": "2026-06-19", "reason": "Later", "next": foreign}
    )
    assert response.url == followup.get_absolute_url()


def test_a_form_error_keeps_the_way_back(login, owner, followup):
    response = login(owner).post(complete_url(followup), {"next": "/customers/"})
    assert response.status_code == 200
    assert '<input type="hidden" name="next" value="/customers/">' in response.content.decode()


# --- Reassign ---


def test_reassign_to_a_colleague_of_the_branch(login, owner, colleague, followup):
    response = login(owner).post(
        reverse("followups:followup-reassign", args=[followup.pk]),
        {"assignee": colleague.pk},
        follow=True,
    )
    assert "handed over to" in response.content.decode()
    followup.refresh_from_db()
    assert followup.assignee == colleague
    assert Notification.objects.filter(recipient=colleague, kind="followup_assigned").exists()


def test_reassign_to_someone_of_another_branch_is_refused(login, manager, outsider, followup):
    response = login(manager).post(
        reverse("followups:followup-reassign", args=[followup.pk]), {"assignee": outsider.pk}
    )
    assert response.status_code == 200
    assert response.context["reassign_form"].errors["assignee"] == [
        "Choose someone who works in this branch."
    ]
    followup.refresh_from_db()
    assert followup.assignee != outsider


def test_reassign_offers_only_the_branchs_staff(login, owner, colleague, manager, followup):
    response = login(owner).get(followup.get_absolute_url())
    choices = set(response.context["reassign_form"].fields["assignee"].queryset)
    assert choices == {owner, colleague, manager}


@pytest.mark.parametrize(
    ("persona", "may"),
    [("owner", True), ("manager", True), ("admin_user", True), ("colleague", False)],
)
def test_the_assignee_or_a_manager_of_the_branch_hands_over(
    login, request, colleague, manager, followup, persona, may
):
    user = request.getfixturevalue(persona)
    client = login(user)
    page = client.get(followup.get_absolute_url()).content.decode()
    assert ('id="reassign"' in page) is may
    to = manager if persona == "colleague" else colleague
    response = client.post(
        reverse("followups:followup-reassign", args=[followup.pk]), {"assignee": to.pk}
    )
    followup.refresh_from_db()
    if may:
        assert response.status_code == 302
        assert followup.assignee == to
    else:
        assert response.status_code == 200
        assert (
            "Only the person it is assigned to or a manager of the branch may hand it over."
            in response.content.decode()
        )
        assert followup.assignee != to


# --- Snooze ---


def snooze_url(followup):
    return reverse("followups:followup-snooze", args=[followup.pk])


def test_snooze_moves_the_followup_with_a_reason(login, owner, followup):
    response = login(owner).post(
        snooze_url(followup), {"until": "2026-06-19", "reason": "On holiday"}, follow=True
    )
    assert "Follow-up put off until 06/19/2026." in response.content.decode()
    followup.refresh_from_db()
    assert followup.due_date == date(2026, 6, 19)
    assert followup.snooze_reason == "On holiday"
    assert "On holiday" in response.content.decode()


def test_snooze_to_a_sunday_says_it_moved_to_monday(login, owner, followup):
    response = login(owner).post(
        snooze_url(followup), {"until": "2026-06-21", "reason": "On holiday"}, follow=True
    )
    followup.refresh_from_db()
    assert followup.due_date == date(2026, 6, 22)
    assert [str(message) for message in response.context["messages"]] == [
        "Follow-up put off. Moved to Monday 22 Jun: Sunday is not a working day."
    ]


def test_snooze_to_a_sunday_says_it_in_german(login, owner, followup):
    response = login(owner).post(
        snooze_url(followup),
        {"until": "2026-06-21", "reason": "Urlaub"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="de",
    )
    (message,) = [str(message) for message in response.context["messages"]]
    # The days in German words, never the English ones.
    assert "Montag" in message
    assert "Sonntag" in message
    assert "Monday" not in message
    assert "Sunday" not in message


def test_snooze_to_a_closing_day_names_it(login, owner, north, followup):
    PublicHoliday.objects.create(date=date(2026, 6, 18), name="Inventory", branch=north)
    response = login(owner).post(
        snooze_url(followup), {"until": "2026-06-18", "reason": "Busy week"}, follow=True
    )
    followup.refresh_from_db()
    assert followup.due_date == date(2026, 6, 19)
    assert [str(message) for message in response.context["messages"]] == [
        "Follow-up put off. Moved to Friday 19 Jun: "
        "Thursday 18 Jun is not a working day (Inventory)."
    ]


def test_snooze_needs_a_reason(login, owner, followup):
    response = login(owner).post(snooze_url(followup), {"until": "2026-06-20", "reason": " "})
    assert response.context["snooze_form"].errors["reason"] == ["Say why the follow-up is put off."]
    followup.refresh_from_db()
    assert followup.due_date == TODAY


@pytest.mark.parametrize("until", [TODAY, TODAY - timedelta(days=3)])
def test_snooze_needs_a_day_in_the_future(login, owner, followup, until):
    response = login(owner).post(
        snooze_url(followup), {"until": until.isoformat(), "reason": "Later"}
    )
    assert response.context["snooze_form"].errors["until"] == ["Choose a day in the future."]
    followup.refresh_from_db()
    assert followup.due_date == TODAY


def test_snooze_inline_answers_with_the_row(login, owner, followup):
    response = login(owner).post(
        snooze_url(followup),
        {"until": "2026-06-12", "reason": "Call back Friday"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert f'id="followup-{followup.pk}"' in response.content.decode()
    assert "Call back Friday" in response.content.decode()


# --- The plan on the "purchase logged" page ---


def test_purchase_logged_page_lists_the_planned_followups(login, owner, followup):
    response = login(owner).get(reverse("customers:purchase-logged", args=[followup.purchase_id]))
    page = response.content.decode()
    assert "Planned follow-ups" in page
    assert "One-week check-in" in page
    assert str(owner) in page


def test_purchase_logged_page_explains_a_missing_plan(login, owner, north):
    purchase = planned_purchase(branch=north, salesperson=owner, handover=HANDOVER, offsets=())
    purchase.handover_date = None
    purchase.save()
    response = login(owner).get(reverse("customers:purchase-logged", args=[purchase.pk]))
    assert "as soon as the handover date is entered" in response.content.decode()


def test_detail_counts_the_customers_recent_contacts(login, owner, followup):
    ContactEvent.objects.create(
        customer=followup.customer,
        purpose=Purpose.CARE,
        channel="phone",
        happened_at=timezone.now() - timedelta(days=3),
    )
    page = login(owner).get(followup.get_absolute_url()).content.decode()
    assert "1 care, 0 of 2 commercial" in page
