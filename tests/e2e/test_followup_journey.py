"""Journey: a logged purchase gets its follow-up plan, the check-in is worked from the inbox on
its day, and the customer answers the e-mailed survey.

The category's playbook plans a thank-you call the day after the handover, a check-in after a
week and a survey e-mail after two weeks (each moved to the next working day). Time then moves
on with time-machine: the live server runs in a thread of this process, so it sees the
travelled clock as well, and the inbox of that day lists the check-in as due today. The survey
tick and the outbox delivery run as the scheduled jobs would; the customer opens the link from
the e-mail in a browser of her own, without logging in.
"""

import re
from datetime import datetime, time

import time_machine
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import Browser, Locator, Page, expect

from aftersales.services import deliver_pending_emails
from followups.models import ContactChannel, FollowUp, StepKind, SurveyResponse
from followups.surveys import send_due_surveys
from tests.customers.factories import CustomerFactory, ProductCategoryFactory, ProductFactory
from tests.e2e.helpers import E2E, checkbox_group, field, log_in, main_navigation
from tests.followups.factories import PlaybookFactory, PlaybookStepFactory

pytestmark = E2E

CONCERN = "Wind noise at motorway speed"
# Inside the default contact hours (09:00-19:00), when the survey e-mail may go out.
MORNING = time(10, 0)
PHONE = {"width": 390, "height": 844}


def choose(group: Locator, answer):
    """Pick an answer of a button-style scale: the radios hide behind their labels (Bootstrap's
    btn-check), so a person clicks the label they see; the radio's state is what counts."""
    group.get_by_text(answer, exact=True).click()
    expect(group.get_by_role("radio", name=answer, exact=True)).to_be_checked()


def short_date(day):
    with translation.override("en"):
        return date_format(day, "SHORT_DATE_FORMAT")


def morning_of(day, branch):
    return datetime.combine(day, MORNING, tzinfo=branch.zone)


def test_purchase_gets_a_plan_the_checkin_is_done_and_the_customer_answers_the_survey(
    page: Page, browser: Browser, browser_context_args, live_server, settings, owner, north
):
    # The survey e-mail links to the site the customer can reach: here, the live server.
    settings.SITE_URL = live_server.url
    category = ProductCategoryFactory(name="New cars", code="new-cars")
    ProductFactory(name="Tiguan 2.0 TDI", category=category)
    playbook = PlaybookFactory(name="New car care", category=category)
    PlaybookStepFactory(
        playbook=playbook, offset_days=1, kind=StepKind.THANK_YOU, title="Thank-you call"
    )
    PlaybookStepFactory(
        playbook=playbook,
        offset_days=7,
        kind=StepKind.CHECK_IN,
        title="One-week check-in",
        instructions="Ask about noises, the infotainment and the first refuelling.",
    )
    PlaybookStepFactory(
        playbook=playbook,
        offset_days=14,
        kind=StepKind.SURVEY,
        channel=ContactChannel.EMAIL,
        title="Satisfaction survey",
    )
    customer = CustomerFactory(
        branch=north,
        first_name="Emma",
        last_name="Clarke",
        email="emma.clarke@example.com",
        preferred_language="en",
    )
    handover = timezone.localdate()

    # Handover day: the salesperson logs the purchase for the customer found by name.
    log_in(page, owner)
    main_navigation(page).get_by_role("link", name="Log a purchase", exact=True).click()
    # The search as you type needs htmx, a deferred script that has run once the page has loaded.
    page.wait_for_load_state("load")
    customer_section = page.get_by_role("region", name="1. Customer")
    customer_section.get_by_label("Find the customer").fill("Clar")
    customer_section.get_by_role("button", name="Select Emma Clarke", exact=True).click()
    expect(customer_section.get_by_role("heading", name="Emma Clarke", level=3)).to_be_visible()
    expect(customer_section.get_by_text("emma.clarke@example.com")).to_be_visible()
    purchase_section = page.get_by_role("region", name="2. Purchase")
    field(purchase_section, "Handover date").fill(handover.isoformat())
    first_line = purchase_section.get_by_role("table").get_by_role("row").nth(1)
    field(first_line, "Product, row 1").select_option(label="Tiguan 2.0 TDI")
    page.get_by_role("button", name="Log purchase", exact=True).click()

    expect(page).to_have_url(re.compile(r"/purchases/\d+/logged/$"))
    expect(page.get_by_role("heading", name="Purchase logged", level=1)).to_be_visible()
    followups = {f.kind: f for f in FollowUp.objects.filter(purchase__customer=customer)}
    thank_you = followups[StepKind.THANK_YOU]
    checkin = followups[StepKind.CHECK_IN]
    survey = followups[StepKind.SURVEY]
    plan = page.get_by_role("region", name="Planned follow-ups")
    expect(plan.get_by_role("row")).to_have_text(
        [
            re.compile(r"^Due\s*Follow-up\s*Assigned to$"),
            *(
                re.compile(rf"^{re.escape(short_date(f.due_date))}\s*{f.title}\s*{owner}$")
                for f in (thank_you, checkin, survey)
            ),
        ]
    )

    # The check-in's day: it waits in the salesperson's inbox, the thank-you call is overdue.
    with time_machine.travel(morning_of(checkin.due_date, north), tick=True):
        # Days later the session has long ended (30 minutes idle): she signs in that morning.
        log_in(page, owner)
        main_navigation(page).get_by_role("link", name="Follow-ups", exact=True).click()
        expect(page).to_have_url("/followups/")
        expect(page.get_by_role("heading", name="My follow-ups", level=1)).to_be_visible()
        page.wait_for_load_state("load")  # htmx opens the completion form in place
        overdue = page.get_by_role("region", name=re.compile(r"^Overdue\b"))
        expect(overdue.get_by_role("link", name="Thank-you call", exact=True)).to_be_visible()
        due_today = page.get_by_role("region", name=re.compile(r"^Due today\b"))
        row = due_today.get_by_role("row").filter(
            has=page.get_by_role("link", name="One-week check-in", exact=True)
        )
        expect(row).to_contain_text("Emma Clarke")
        # The survey goes out by e-mail by itself: it is nobody's task in the inbox.
        expect(page.get_by_role("link", name="Satisfaction survey", exact=True)).to_have_count(0)

        # Completed in place: the row turns into the form (htmx) and back into the row.
        row.get_by_role("link", name="Complete", exact=True).click()
        form = due_today.get_by_role("row").filter(
            has=page.get_by_role("button", name="Save the outcome", exact=True)
        )
        expect(form.get_by_text("Ask about noises, the infotainment")).to_be_visible()
        checkbox_group(form, "How did the contact go?").get_by_role(
            "radio", name="reached, concern raised", exact=True
        ).check()
        choose(checkbox_group(form, "Satisfaction"), "3")
        field(form, "The customer's concern").fill(CONCERN)
        field(form, "Notes").fill("Offered a test drive with the workshop master next week.")
        form.get_by_role("button", name="Save the outcome", exact=True).click()

        expect(due_today.get_by_role("status")).to_have_text(
            "Follow-up completed: reached, concern raised."
        )
        expect(row).to_contain_text("done")

    checkin.refresh_from_db()
    assert checkin.status == FollowUp.Status.DONE
    assert checkin.outcome == FollowUp.Outcome.CONCERN
    assert checkin.satisfaction == 3
    assert checkin.concern == CONCERN

    # The survey's day: the tick e-mails the personal link, the outbox delivers it.
    with time_machine.travel(morning_of(survey.due_date, north), tick=True):
        mail.outbox.clear()
        assert send_due_surveys(now=timezone.now()) == 1
        deliver_pending_emails()
        (message,) = [m for m in mail.outbox if m.to == ["emma.clarke@example.com"]]
        link = re.search(r"https?://\S+", message.body).group()
        assert link.startswith(live_server.url)

        # The customer's own browser, on a phone: no session, no login.
        context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
        try:
            phone = context.new_page()
            phone.goto(link)
            expect(
                phone.get_by_role("heading", name="How was your experience?", level=1)
            ).to_be_visible()
            choose(
                checkbox_group(
                    phone, "How likely is it that you would recommend us to a friend or colleague?"
                ),
                "8",
            )
            choose(checkbox_group(phone, "How satisfied are you with your purchase?"), "4")
            choose(checkbox_group(phone, "How satisfied were you with the handover?"), "5")
            phone.get_by_label("Is there anything else you would like to tell us?").fill(
                "The wind noise is still there, but the dealership listened."
            )
            phone.get_by_role("button", name="Send my answers", exact=True).click()

            expect(phone.get_by_role("heading", name="Thank you!", level=1)).to_be_visible()
            expect(phone.get_by_text("We have received your answers.")).to_be_visible()
        finally:
            context.close()

    response = SurveyResponse.objects.get(invitation__followup=survey)
    assert (response.nps, response.satisfaction_purchase, response.satisfaction_handover) == (
        8,
        4,
        5,
    )
