"""Satisfaction surveys: the sending tick, the signed expiring link, the public page, the answer."""

import re
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.errors import DomainError
from aftersales.models import Notification, OutgoingEmail
from aftersales.services import deliver_pending_emails
from followups import survey_selectors, surveys, tasks
from followups.models import (
    AssigneeRole,
    ContactChannel,
    ContactEvent,
    FollowUp,
    Purpose,
    StepKind,
    SurveyInvitation,
    SurveyResponse,
)
from followups.signals import survey_answered
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, PurchaseFactory

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY = date(2026, 6, 9)
# Within the default contact hours (09:00-19:00) of a working day.
MORNING = datetime(2026, 6, 9, 10, 0, tzinfo=BERLIN)
# MORNING + 30 days, as each language writes it.
VALID_UNTIL = {"de": "9. Juli 2026", "en": "July 9, 2026"}
SITE = "https://crm.example.com"
GOOD_ANSWER = {
    "nps": "9",
    "satisfaction_purchase": "5",
    "satisfaction_handover": "4",
    "comment": "All good.",
}


@pytest.fixture(autouse=True)
def tuesday_morning(settings):
    settings.SITE_URL = SITE
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def answers():
    received = []

    def receiver(signal, sender, **kwargs):
        received.append(kwargs)

    survey_answered.connect(receiver)
    yield received
    survey_answered.disconnect(receiver)


def survey_followup(branch, *, salesperson=None, due=TUESDAY, language="de", **customer_fields):
    customer = CustomerFactory(branch=branch, preferred_language=language, **customer_fields)
    purchase = PurchaseFactory(customer=customer, salesperson=salesperson)
    return FollowUp.objects.create(
        purchase=purchase,
        customer=customer,
        branch=branch,
        kind=StepKind.SURVEY,
        channel=ContactChannel.EMAIL,
        purpose=Purpose.CARE,
        title="Satisfaction survey",
        instructions="Thank the customer.",
        assignee_role=AssigneeRole.SALESPERSON,
        assignee=salesperson,
        planned_date=due,
        due_date=due,
    )


def invitation_for(branch, *, salesperson=None, language="en"):
    followup = survey_followup(branch, salesperson=salesperson, language=language)
    assert surveys.send_due_surveys() == 1
    return followup.survey


def path_of(invitation):
    return reverse("surveys:answer", args=[surveys.make_token(invitation)])


def link_in(message):
    found = re.search(rf"{re.escape(SITE)}(/survey/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


class TestTick:
    @pytest.mark.parametrize("language", ["de", "en"])
    def test_sends_one_invitation_and_email_in_the_customers_language(
        self, north, owner, client, language
    ):
        followup = survey_followup(north, salesperson=owner, language=language)
        # A survey is a care contact: no marketing consent needed.
        assert followup.customer.consent_email is False

        assert surveys.send_due_surveys() == 1

        invitation = SurveyInvitation.objects.get()
        assert invitation.followup == followup
        assert (invitation.customer, invitation.purchase) == (followup.customer, followup.purchase)
        assert invitation.branch == north
        assert invitation.sent_at == MORNING
        assert invitation.expires_at == MORNING + timedelta(days=30)
        followup.refresh_from_db()
        assert followup.status == FollowUp.Status.DONE
        assert followup.outcome == FollowUp.Outcome.SENT
        assert followup.completed_at == MORNING
        contact = ContactEvent.objects.get()
        assert (contact.customer, contact.followup) == (followup.customer, followup)
        assert (contact.purpose, contact.channel) == (Purpose.CARE, ContactChannel.EMAIL)

        assert deliver_pending_emails() == 1
        [message] = mail.outbox
        assert message.to == [followup.customer.email]
        assert VALID_UNTIL[language] in message.body
        with translation.override(language):
            assert message.subject == translation.gettext(
                "Your opinion matters: how satisfied are you with %(branch)s?"
            ) % {"branch": "North"}
        # The e-mailed link opens the customer's survey.
        response = client.get(link_in(message))
        assert response.status_code == 200
        assert response.context["invitation"] == invitation

    def test_a_second_run_sends_nothing(self, north, owner):
        survey_followup(north, salesperson=owner)
        assert surveys.send_due_surveys() == 1
        assert surveys.send_due_surveys() == 0
        assert tasks.send_due_surveys() == 0
        deliver_pending_emails()
        assert SurveyInvitation.objects.count() == 1
        assert len(mail.outbox) == 1

    def test_only_due_surveys_within_contact_hours(self, north, owner, tuesday_morning):
        survey_followup(north, salesperson=owner, due=TUESDAY + timedelta(days=1))
        early = survey_followup(north, salesperson=owner)
        tuesday_morning.move_to(datetime(2026, 6, 9, 7, 0, tzinfo=BERLIN))
        assert surveys.send_due_surveys() == 0
        tuesday_morning.move_to(MORNING)
        assert surveys.send_due_surveys() == 1
        assert SurveyInvitation.objects.get().followup == early

    def test_a_customer_without_email_gets_a_call_instead(self, north, owner):
        followup = survey_followup(north, salesperson=owner, email="")
        assert surveys.send_due_surveys() == 0
        assert surveys.send_due_surveys() == 0

        followup.refresh_from_db()
        assert followup.status == FollowUp.Status.OPEN
        assert followup.channel == ContactChannel.PHONE
        assert followup.instructions == (
            "Thank the customer.\n\nNo e-mail address: ask the survey questions by phone."
        )
        assert not SurveyInvitation.objects.exists()
        assert not OutgoingEmail.objects.exists()

    def test_other_survey_channels_and_kinds_are_left_to_people(self, north, owner):
        by_phone = survey_followup(north, salesperson=owner)
        by_phone.channel = ContactChannel.PHONE
        by_phone.save()
        check_in = survey_followup(north, salesperson=owner)
        check_in.kind = StepKind.CHECK_IN
        check_in.save()
        assert surveys.send_due_surveys() == 0

    @pytest.mark.django_db(transaction=True)
    def test_concurrent_ticks_send_each_survey_once(self, north, owner):
        for _number in range(40):
            survey_followup(north, salesperson=owner)
        results, errors = [], []

        def tick():
            try:
                results.append(surveys.send_due_surveys())
            except Exception as error:  # noqa: BLE001 (reported by the assertion below)
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=tick) for _number in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        assert sum(results) == 40
        assert SurveyInvitation.objects.count() == 40
        assert OutgoingEmail.objects.count() == 40
        assert ContactEvent.objects.count() == 40


class TestLink:
    @pytest.mark.parametrize("language", ["de", "en"])
    def test_valid_link_shows_the_survey_in_the_customers_language(
        self, north, owner, client, language
    ):
        invitation = invitation_for(north, salesperson=owner, language=language)
        # The browser asks for the other language; the customer's wins.
        other = "en" if language == "de" else "de"
        response = client.get(path_of(invitation), HTTP_ACCEPT_LANGUAGE=other)

        assert response.status_code == 200
        assert response.headers["Content-Language"] == language
        assert response.headers["Cache-Control"].startswith("max-age=0")
        page = response.content.decode()
        assert f'<html lang="{language}">' in page
        assert VALID_UNTIL[language] in page
        with translation.override(language):
            assert translation.gettext("How was your experience?") in page
        assert "csrfmiddlewaretoken" in page
        assert page.count('name="nps"') == 11
        assert page.count('name="satisfaction_purchase"') == 5
        # Standalone page: none of the staff navigation.
        assert "navbar" not in page

    @pytest.mark.parametrize(
        "forge",
        [
            lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
            lambda token: "not-a-token",
            lambda token: signing.dumps(signing.loads(token, salt=surveys.TOKEN_SALT)),
        ],
        ids=["tampered", "garbage", "other-salt"],
    )
    def test_forged_link_is_refused(self, north, client, forge):
        invitation = invitation_for(north)
        token = forge(surveys.make_token(invitation))
        response = client.get(reverse("surveys:answer", args=[token]))
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()

    def test_link_of_a_deleted_invitation_is_refused(self, north, client):
        invitation = invitation_for(north)
        path = path_of(invitation)
        invitation.delete()
        assert client.get(path).status_code == 404

    def test_expired_link(self, north, client, tuesday_morning):
        invitation = invitation_for(north)
        path = path_of(invitation)
        tuesday_morning.shift(timedelta(days=29))
        assert client.get(path).status_code == 200

        tuesday_morning.shift(timedelta(days=2))
        response = client.get(path)
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
        response = client.post(path, GOOD_ANSWER)
        assert response.status_code == 410
        assert not SurveyResponse.objects.exists()
        with pytest.raises(DomainError):
            surveys.answer_survey(
                invitation=invitation,
                nps=9,
                satisfaction_purchase=5,
                satisfaction_handover=5,
                comment="",
                callback_wanted=False,
            )

    def test_lifetime_follows_the_setting(self, north, client, settings, tuesday_morning):
        settings.SURVEY_LINK_DAYS = 7
        invitation = invitation_for(north)
        assert invitation.expires_at == MORNING + timedelta(days=7)
        tuesday_morning.shift(timedelta(days=8))
        assert client.get(path_of(invitation)).status_code == 410

    def test_used_link_says_thank_you(self, north, client, tuesday_morning):
        invitation = invitation_for(north)
        path = path_of(invitation)
        assert client.post(path, GOOD_ANSWER).status_code == 302

        response = client.get(path)
        assert response.status_code == 200
        assert "we already have your answer" in response.content.decode()
        response = client.post(path, {**GOOD_ANSWER, "nps": "0"})
        assert response.status_code == 409
        assert SurveyResponse.objects.get().nps == 9
        # Even once the link is old, an answered survey is not "expired".
        tuesday_morning.shift(timedelta(days=40))
        response = client.get(path)
        assert response.status_code == 200
        assert "we already have your answer" in response.content.decode()


class TestAnswer:
    def test_answer_is_stored_and_announced(self, north, owner, client, answers):
        invitation = invitation_for(north, salesperson=owner)
        path = path_of(invitation)
        response = client.post(path, {**GOOD_ANSWER, "callback_wanted": "on"})

        assert response.status_code == 302
        assert response.url == reverse("surveys:thanks", args=[path.split("/")[-2]])
        stored = SurveyResponse.objects.get()
        assert (stored.invitation, stored.nps, stored.comment) == (invitation, 9, "All good.")
        assert (stored.satisfaction_purchase, stored.satisfaction_handover) == (5, 4)
        assert stored.callback_wanted is True
        invitation.refresh_from_db()
        assert invitation.answered_at == MORNING
        assert answers == [{"response": stored}]
        assert not Notification.objects.filter(kind="survey_low_score").exists()
        thanks = client.get(response.url)
        assert thanks.status_code == 200
        assert "Thank you!" in thanks.content.decode()

    def test_thanks_page_before_answering_leads_to_the_survey(self, north, client):
        invitation = invitation_for(north)
        token = surveys.make_token(invitation)
        response = client.get(reverse("surveys:thanks", args=[token]))
        assert response.status_code == 302
        assert response.url == reverse("surveys:answer", args=[token])

    @pytest.mark.parametrize(
        "scores",
        [
            {"nps": "6"},
            {"satisfaction_purchase": "2"},
            {"satisfaction_handover": "1"},
        ],
        ids=["nps-6", "purchase-2", "handover-1"],
    )
    def test_low_score_alerts_salesperson_and_branch_managers(
        self, north, south, owner, colleague, manager, client, scores
    ):
        UserFactory(username="sven", roles=["manager"], branches=[south])
        invitation = invitation_for(north, salesperson=owner)
        client.post(path_of(invitation), {**GOOD_ANSWER, **scores})

        alerts = Notification.objects.filter(kind="survey_low_score")
        assert {alert.recipient for alert in alerts} == {owner, manager}
        customer = invitation.customer
        for alert in alerts:
            assert alert.link == customer.get_absolute_url()
            assert customer.display_name in alert.subject
        deliver_pending_emails()
        assert sorted(address for message in mail.outbox for address in message.to) == sorted(
            [customer.email, owner.email, manager.email]
        )

    def test_high_score_alerts_nobody(self, north, owner, manager, client):
        invitation = invitation_for(north, salesperson=owner)
        # The boundary: NPS 7 and satisfaction 3 are not low.
        client.post(
            path_of(invitation),
            {"nps": "7", "satisfaction_purchase": "3", "satisfaction_handover": "3"},
        )
        assert SurveyResponse.objects.get().is_low is False
        assert not Notification.objects.filter(kind="survey_low_score").exists()

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({**GOOD_ANSWER, "nps": "11"}, "nps"),
            ({**GOOD_ANSWER, "nps": "ten"}, "nps"),
            ({**GOOD_ANSWER, "nps": ""}, "nps"),
            ({"nps": "8", "satisfaction_handover": "4"}, "satisfaction_purchase"),
            ({**GOOD_ANSWER, "satisfaction_handover": "0"}, "satisfaction_handover"),
            ({**GOOD_ANSWER, "comment": "x" * 2001}, "comment"),
        ],
        ids=["nps-11", "nps-text", "nps-empty", "no-purchase-score", "handover-0", "long-text"],
    )
    def test_bad_input_shows_errors_and_stores_nothing(self, north, client, answers, data, field):
        invitation = invitation_for(north)
        response = client.post(path_of(invitation), data)

        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert "Please check the questions marked in red" in response.content.decode()
        assert not SurveyResponse.objects.exists()
        invitation.refresh_from_db()
        assert invitation.answered_at is None
        assert answers == []

    def test_posting_needs_the_csrf_token(self, north):
        invitation = invitation_for(north)
        response = Client(enforce_csrf_checks=True).post(path_of(invitation), GOOD_ANSWER)
        assert response.status_code == 403
        assert not SurveyResponse.objects.exists()

    def test_service_refuses_a_second_answer_and_bad_scores(self, north):
        invitation = invitation_for(north)
        answer = {
            "nps": 10,
            "satisfaction_purchase": 5,
            "satisfaction_handover": 5,
            "comment": "",
            "callback_wanted": False,
        }
        with pytest.raises(DomainError) as refused:
            surveys.answer_survey(invitation=invitation, **{**answer, "nps": 11})
        assert refused.value.field == "nps"
        surveys.answer_survey(invitation=invitation, **answer)
        with pytest.raises(DomainError):
            surveys.answer_survey(invitation=invitation, **answer)
        assert SurveyResponse.objects.count() == 1


class TestStaffRead:
    @pytest.fixture
    def responses(self, north, south):
        answer = {"satisfaction_handover": 4, "comment": "", "callback_wanted": False}
        low = surveys.answer_survey(
            invitation=invitation_for(north), nps=3, satisfaction_purchase=4, **answer
        )
        high = surveys.answer_survey(
            invitation=invitation_for(north), nps=10, satisfaction_purchase=5, **answer
        )
        elsewhere = surveys.answer_survey(
            invitation=invitation_for(south), nps=8, satisfaction_purchase=4, **answer
        )
        return low, high, elsewhere

    def test_scoped_to_the_users_branches(
        self, responses, owner, colleague, outsider, admin_user, shopper
    ):
        low, high, elsewhere = responses
        assert list(survey_selectors.survey_responses_for(owner)) == [high, low]
        assert list(survey_selectors.survey_responses_for(colleague)) == [high, low]
        assert list(survey_selectors.survey_responses_for(outsider)) == [elsewhere]
        assert set(survey_selectors.survey_responses_for(admin_user)) == set(responses)
        assert list(survey_selectors.survey_responses_for(shopper)) == []
        assert list(survey_selectors.survey_responses_for(owner, low_only=True)) == [low]

    def test_one_query_with_everything_joined(self, responses, owner, django_assert_num_queries):
        # 1. the user's roles and 2. branches (both cached on the user for the request), 3. the
        # answers with invitation, customer, branch, purchase and salesperson joined.
        with django_assert_num_queries(3):
            rows = list(survey_selectors.survey_responses_for(owner))
            for row in rows:
                str(row.invitation.customer), str(row.invitation.branch)
                str(row.invitation.purchase.salesperson)
