"""The follow-up inbox and the managers' team view: sections, scoping, filters, inline actions,
counts and query counts."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from followups import selectors
from followups.models import FollowUp, StepKind
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.customers.factories import CustomerFactory, PurchaseFactory
from tests.followups.factories import (
    FollowUpFactory,
    PlaybookFactory,
    PlaybookStepFactory,
    planned_purchase,
)

# A Wednesday. The purchases below were handed over a week earlier, on Wednesday 3 June.
TODAY = date(2026, 6, 10)
HANDOVER = date(2026, 6, 3)
BERLIN = ZoneInfo("Europe/Berlin")
# Day 1 falls before today (overdue), day 7 today, day 12 within the 14-day window (Monday the
# 15th), day 60 after it (Sunday 2 August, moved to Monday the 3rd).
OFFSETS = (1, 7, 12, 60)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2026, 6, 10, 9, 0, tzinfo=BERLIN), tick=False):
        yield


@pytest.fixture
def playbook(db):
    playbook = PlaybookFactory(name="New cars")
    for offset in OFFSETS:
        PlaybookStepFactory(playbook=playbook, offset_days=offset, title=f"Day {offset} call")
    return playbook


@pytest.fixture
def owners_purchase(owner, north, playbook):
    return planned_purchase(
        branch=north,
        salesperson=owner,
        handover=HANDOVER,
        playbook=playbook,
        customer=CustomerFactory(branch=north, first_name="Erika", last_name="Mustermann"),
    )


def titles(followups):
    return [followup.title for followup in followups]


# --- Inbox ---


def test_inbox_sorts_the_owners_followups_into_overdue_today_and_upcoming(
    login, owner, owners_purchase
):
    response = login(owner).get(reverse("followups:inbox"))
    assert response.status_code == 200
    inbox = response.context["inbox"]
    assert titles(inbox.overdue) == ["Day 1 call"]
    assert titles(inbox.today) == ["Day 7 call"]
    assert titles(inbox.upcoming) == ["Day 12 call"]
    assert inbox.later_count == 1
    page = response.content.decode()
    assert "Mustermann" in page
    assert "text-danger" in page  # the overdue due date is red
    assert owners_purchase.lines.get().product.name in page


def test_inbox_shows_all_upcoming_on_request(login, owner, owners_purchase):
    response = login(owner).get(reverse("followups:inbox"), {"upcoming": "all"})
    assert titles(response.context["inbox"].upcoming) == ["Day 12 call", "Day 60 call"]
    assert response.context["inbox"].later_count == 0


def test_inbox_shows_only_the_users_own_followups(
    login, owner, colleague, outsider, south, owners_purchase, playbook
):
    planned_purchase(branch=south, salesperson=outsider, handover=HANDOVER, playbook=playbook)
    colleague_inbox = login(colleague).get(reverse("followups:inbox")).context["inbox"]
    assert colleague_inbox.is_empty
    outsider_inbox = login(outsider).get(reverse("followups:inbox")).context["inbox"]
    assert titles(outsider_inbox.today) == ["Day 7 call"]
    assert all(
        followup.branch == south
        for followup in [*outsider_inbox.overdue, *outsider_inbox.today, *outsider_inbox.upcoming]
    )
    assert "Mustermann" not in login(outsider).get(reverse("followups:inbox")).content.decode()


def test_outsider_sees_nothing_of_north_even_when_assigned(login, outsider, north, playbook):
    # A follow-up of North assigned (by mistake) to someone who does not work there.
    FollowUpFactory(
        purchase=planned_purchase(branch=north, salesperson=None, handover=HANDOVER, offsets=()),
        assignee=outsider,
        due_date=TODAY,
    )
    assert login(outsider).get(reverse("followups:inbox")).context["inbox"].is_empty


def test_inbox_empty_state(login, owner):
    page = login(owner).get(reverse("followups:inbox")).content.decode()
    assert "you have no open follow-ups" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "Mustermann"}, ["Day 7 call"]),
        ({"q": "Nobody"}, []),
        ({"kind": StepKind.CHECK_IN}, ["Day 7 call"]),
        ({"kind": StepKind.ANNIVERSARY}, []),
    ],
)
def test_inbox_filters_by_customer_and_kind(login, owner, owners_purchase, params, expected):
    response = login(owner).get(reverse("followups:inbox"), params)
    assert titles(response.context["inbox"].today) == expected


def test_inbox_filters_by_branch_for_people_in_several(login, north, south, playbook):
    roamer = UserFactory(username="rita", roles=["sales"], branches=[north, south])
    planned_purchase(branch=north, salesperson=roamer, handover=HANDOVER, playbook=playbook)
    planned_purchase(branch=south, salesperson=roamer, handover=HANDOVER, playbook=playbook)
    client = login(roamer)
    response = client.get(reverse("followups:inbox"))
    assert response.context["several_branches"]
    assert len(response.context["inbox"].today) == 2
    south_only = client.get(reverse("followups:inbox"), {"branch": south.pk}).context["inbox"]
    assert [followup.branch for followup in south_only.today] == [south]


def test_inbox_hides_the_branch_filter_for_people_in_one_branch(login, owner):
    assert not login(owner).get(reverse("followups:inbox")).context["several_branches"]


def test_shopper_may_not_open_the_inbox(login, shopper):
    assert login(shopper).get(reverse("followups:inbox")).status_code == 403


def test_anonymous_is_sent_to_the_login(client):
    response = client.get(reverse("followups:inbox"))
    assert response.status_code == 302
    assert reverse("login") in response.url


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(selectors, "INBOX_PAGE_SIZE", 3)


LATER = timedelta(days=selectors.UPCOMING_DAYS + 1)


def fill_inbox(owner, north, per_section):
    """`per_section` follow-ups of the owner overdue, due today, in the window and after it."""
    purchase = PurchaseFactory(customer=CustomerFactory(branch=north), salesperson=owner)
    for due_date in (TODAY - timedelta(days=3), TODAY, TODAY + timedelta(days=5), TODAY + LATER):
        FollowUpFactory.create_batch(per_section, purchase=purchase, due_date=due_date)


def test_inbox_shows_one_page_of_each_section_and_counts_them_all(login, owner, north, small_pages):
    fill_inbox(owner, north, per_section=7)
    response = login(owner).get(reverse("followups:inbox"))
    inbox = response.context["inbox"]
    for section in (inbox.overdue, inbox.today, inbox.upcoming):
        assert len(section) == 3
        assert section.paginator.count == 7
        assert section.paginator.num_pages == 3
    assert inbox.later_count == 7
    page = response.content.decode()
    assert page.count('<span class="page-link">Page 1 of 3</span>') == 3
    assert "upcoming_page=2" in page


def test_every_section_is_counted_up_to_a_limit(login, owner, north, small_pages, monkeypatch):
    """A year of planned steps can be a quarter of a million later follow-ups, and a neglected
    inbox tens of thousands overdue: each section is counted up to SECTION_COUNTED, never all,
    and pages that far."""
    monkeypatch.setattr(selectors, "SECTION_COUNTED", 5)
    fill_inbox(owner, north, per_section=7)

    response = login(owner).get(reverse("followups:inbox"))

    inbox = response.context["inbox"]
    assert (inbox.later_count, inbox.later_beyond) == (5, True)
    page = response.content.decode()
    assert "Show all upcoming follow-ups (more than 5 later)" in page
    for section in (inbox.overdue, inbox.today, inbox.upcoming):
        assert (len(section), section.paginator.count, section.paginator.beyond) == (3, 5, True)
        assert section.paginator.num_pages == 2
    assert page.count('<span class="badge text-bg-danger">5+</span>') == 1
    last = login(owner).get(reverse("followups:inbox"), {"overdue_page": 9}).context["inbox"]
    assert (last.overdue.number, len(last.overdue)) == (2, 2)


def test_a_section_within_the_limit_is_counted_exactly(login, owner, north, monkeypatch):
    monkeypatch.setattr(selectors, "SECTION_COUNTED", 7)
    fill_inbox(owner, north, per_section=7)
    inbox = login(owner).get(reverse("followups:inbox")).context["inbox"]
    assert (inbox.overdue.paginator.count, inbox.overdue.paginator.beyond) == (7, False)
    assert (inbox.later_count, inbox.later_beyond) == (7, False)


def test_each_section_pages_on_its_own(login, owner, north, small_pages):
    fill_inbox(owner, north, per_section=7)
    client = login(owner)
    first = client.get(reverse("followups:inbox")).context["inbox"]
    inbox = client.get(reverse("followups:inbox"), {"overdue_page": 3}).context["inbox"]
    assert len(inbox.overdue) == 1
    assert inbox.overdue.number == 3
    assert list(inbox.today) == list(first.today)
    seen = {
        followup.pk
        for number in (1, 2, 3)
        for followup in client.get(reverse("followups:inbox"), {"overdue_page": number})
        .context["inbox"]
        .overdue
    }
    assert len(seen) == 7


def test_a_page_past_the_end_shows_the_last(login, owner, north, small_pages):
    fill_inbox(owner, north, per_section=4)
    inbox = login(owner).get(reverse("followups:inbox"), {"today_page": 99}).context["inbox"]
    assert inbox.today.number == 2
    assert len(inbox.today) == 1


def test_show_all_pages_through_the_later_followups(login, owner, north, small_pages):
    fill_inbox(owner, north, per_section=2)
    inbox = login(owner).get(reverse("followups:inbox"), {"upcoming": "all"}).context["inbox"]
    assert inbox.upcoming.paginator.count == 4
    assert len(inbox.upcoming) == 3
    assert inbox.later_count == 0


@pytest.mark.parametrize("per_section", [2, 12])
def test_inbox_query_count_does_not_grow(
    login, owner, north, small_pages, per_section, django_assert_max_num_queries
):
    fill_inbox(owner, north, per_section=per_section)
    client = login(owner)
    # session, user, user permissions, group permissions, the user's role groups, the user's
    # branches (scoping), the ONE aggregate counting the sections, the ONE union of the
    # sections' pages of ids, those follow-ups (customer, purchase, category, assignee and
    # branch joined), the purchases' lines with their products, the open offers beside them
    # (followups.offers; their context only when there are some), unread notifications. (The
    # branch filter, one more, shows only for people in several branches.)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("followups:inbox"))
    inbox = response.context["inbox"]
    assert len(inbox.today) == min(per_section, 3)
    assert inbox.today.paginator.count == per_section


# --- Inline actions (htmx) ---


def test_complete_opens_inline_and_answers_with_the_updated_row(login, owner, owners_purchase):
    followup = owners_purchase.followups.get(title="Day 7 call")
    client = login(owner)
    url = reverse("followups:followup-complete", args=[followup.pk])
    form_row = client.get(url, {"layout": "inbox"}, headers={"HX-Request": "true"})
    assert form_row.status_code == 200
    assert f'id="followup-{followup.pk}"' in form_row.content.decode()
    assert 'name="outcome"' in form_row.content.decode()
    assert "Ask about noises" in form_row.content.decode()

    done = client.post(
        url, {"outcome": "satisfied", "satisfaction": "5"}, headers={"HX-Request": "true"}
    )
    assert done.status_code == 200
    assert "Follow-up completed" in done.content.decode()
    assert f'id="followup-{followup.pk}"' in done.content.decode()
    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.DONE


def test_inline_form_errors_come_back_in_the_row(login, owner, owners_purchase):
    followup = owners_purchase.followups.get(title="Day 7 call")
    response = login(owner).post(
        reverse("followups:followup-complete", args=[followup.pk]),
        {"outcome": "concern"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["concern"] == ["Describe the customer's concern."]
    assert "Describe the customer" in response.content.decode()


def test_cancel_brings_the_row_back(login, owner, owners_purchase):
    followup = owners_purchase.followups.get(title="Day 7 call")
    response = login(owner).get(
        reverse("followups:followup-row", args=[followup.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Day 7 call" in response.content.decode()


# --- Rows that leave their section: put off, handed over (htmx) ---


def htmx_from(page="/followups/"):
    """The headers of an htmx request sent from `page`."""
    return {"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"}


def section_count(page, section):
    match = re.search(rf'id="{section}-heading">[^<]*<span class="badge [^"]*">(\d+)</span>', page)
    return int(match.group(1))


def test_putting_off_an_overdue_followup_moves_its_row_and_the_counts(
    login, owner, owners_purchase
):
    followup = owners_purchase.followups.get(title="Day 1 call")
    response = login(owner).post(
        reverse("followups:followup-snooze", args=[followup.pk]),
        {"until": "2026-06-14", "reason": "Customer abroad", "layout": "inbox"},
        headers=htmx_from(),
    )
    assert response.status_code == 200
    # The sections replace those on the page: the row has left "Overdue" for "Upcoming".
    assert response["HX-Retarget"] == "#inbox-sections"
    assert response["HX-Reswap"] == "outerHTML"
    inbox = response.context["inbox"]
    assert titles(inbox.overdue) == []
    assert titles(inbox.upcoming) == ["Day 1 call", "Day 12 call"]
    page = response.content.decode()
    assert page.startswith('\n<div id="inbox-sections">')
    assert section_count(page, "overdue") == 0
    assert section_count(page, "upcoming") == 2
    assert "Nothing overdue." in page
    assert f'<tr id="followup-{followup.pk}" class="table-success">' in page
    assert (
        '<div class="alert alert-success py-2" role="status">'
        "Follow-up put off. Moved to Monday 15 Jun: Sunday is not a working day.</div>"
    ) in page


def test_the_sections_keep_the_pages_filters(login, owner, owners_purchase):
    followup = owners_purchase.followups.get(title="Day 1 call")
    response = login(owner).post(
        reverse("followups:followup-snooze", args=[followup.pk]),
        {"until": "2026-06-12", "reason": "Friday", "layout": "inbox"},
        headers=htmx_from("/followups/?q=Erika"),
    )
    assert response.context["filters"].data["q"] == "Erika"
    # The sections' own links keep the search, not the address the form posted to.
    assert 'href="?q=Erika&amp;upcoming=all"' in response.content.decode()


def test_handing_over_from_the_inbox_asks_first_then_the_row_leaves(
    login, owner, colleague, manager, owners_purchase
):
    followup = owners_purchase.followups.get(title="Day 7 call")
    client = login(owner)
    url = reverse("followups:followup-reassign", args=[followup.pk])
    inbox = client.get(reverse("followups:inbox")).content.decode()
    assert f'hx-get="{url}?layout=inbox"' in inbox

    form_row = client.get(url, {"layout": "inbox"}, headers=htmx_from())
    # To a colleague of the branch: not back to oneself.
    assert set(form_row.context["form"].fields["assignee"].queryset) == {colleague, manager}

    asked = client.post(url, {"assignee": colleague.pk, "layout": "inbox"}, headers=htmx_from())
    name = escape(str(colleague))
    assert f"Hand this follow-up over to {name}? It leaves your inbox" in asked.content.decode()
    assert 'name="confirmed" value="1"' in asked.content.decode()
    followup.refresh_from_db()
    assert followup.assignee == owner

    done = client.post(
        url,
        {"assignee": colleague.pk, "confirmed": "1", "layout": "inbox"},
        headers=htmx_from(),
    )
    assert done["HX-Retarget"] == "#inbox-sections"
    inbox = done.context["inbox"]
    assert titles(inbox.today) == []
    assert f'id="followup-{followup.pk}"' not in done.content.decode()
    assert section_count(done.content.decode(), "today") == 0
    assert f"Follow-up handed over to {name}." in done.content.decode()
    followup.refresh_from_db()
    assert followup.assignee == colleague


def test_a_colleague_cannot_take_over_someone_elses_followup(
    login, owner, colleague, owners_purchase
):
    followup = owners_purchase.followups.get(title="Day 7 call")
    response = login(colleague).post(
        reverse("followups:followup-reassign", args=[followup.pk]),
        {"assignee": colleague.pk, "confirmed": "1", "layout": "inbox"},
        headers=htmx_from(),
    )
    assert response.context["form"].non_field_errors() == [
        "Only the person it is assigned to or a manager of the branch may hand it over."
    ]
    followup.refresh_from_db()
    assert followup.assignee == owner


# --- Team view ---


@pytest.mark.parametrize("persona", ["owner", "colleague", "outsider", "quality_manager"])
def test_team_view_is_for_managers_only(login, request, persona):
    user = request.getfixturevalue(persona)
    assert login(user).get(reverse("followups:team")).status_code == 403


@pytest.fixture
def team_history(owner, colleague, outsider, north, south, owners_purchase, playbook):
    """Besides the owner's purchase (overdue 1, today 1, next 7 days 1, later 1): a done one 10
    days ago, a done one 40 days ago (too old to count), a missed one 5 days ago for the
    colleague, and South's follow-ups that North's manager must not count."""
    now = datetime(2026, 6, 10, 9, 0, tzinfo=BERLIN)
    FollowUpFactory(
        purchase=owners_purchase,
        assignee=owner,
        status=FollowUp.Status.DONE,
        due_date=TODAY - timedelta(days=10),
        completed_at=now - timedelta(days=10),
    )
    FollowUpFactory(
        purchase=owners_purchase,
        assignee=owner,
        status=FollowUp.Status.DONE,
        due_date=TODAY - timedelta(days=40),
        completed_at=now - timedelta(days=40),
    )
    colleagues_purchase = planned_purchase(
        branch=north, salesperson=colleague, handover=HANDOVER, offsets=()
    )
    FollowUpFactory(
        purchase=colleagues_purchase,
        status=FollowUp.Status.MISSED,
        due_date=TODAY - timedelta(days=20),
        missed_at=now - timedelta(days=5),
    )
    planned_purchase(branch=south, salesperson=outsider, handover=HANDOVER, playbook=playbook)


def test_team_view_counts_per_person_and_branch(login, manager, owner, colleague, team_history):
    response = login(manager).get(reverse("followups:team"))
    assert response.status_code == 200
    rows = {row["assignee_id"]: row for row in response.context["overview"]}
    assert set(rows) == {owner.pk, colleague.pk}
    assert {key: rows[owner.pk][key] for key in ("overdue", "due_today", "upcoming")} == {
        "overdue": 1,
        "due_today": 1,
        "upcoming": 1,
    }
    assert rows[owner.pk]["done"] == 1
    assert rows[owner.pk]["missed"] == 0
    assert rows[colleague.pk]["missed"] == 1
    assert rows[colleague.pk]["overdue"] == 0
    assert response.context["totals"]["missed"] == 1
    # The list shows North's open follow-ups only.
    assert {followup.branch.code for followup in response.context["page"]} == {"NORTH"}


def test_administrator_sees_every_branch_in_the_team_view(
    login, admin_user, outsider, team_history
):
    response = login(admin_user).get(reverse("followups:team"))
    assert outsider.pk in {row["assignee_id"] for row in response.context["overview"]}


def test_escalation_link_shows_the_branchs_overdue_followups(login, manager, north, team_history):
    response = login(manager).get(reverse("followups:team"), {"branch": north.pk, "overdue": "1"})
    assert response.context["overdue_only"]
    assert titles(response.context["page"]) == ["Day 1 call"]
    assert "Overdue follow-ups" in response.content.decode()


def test_team_view_filters_by_assignee(login, manager, colleague, team_history):
    response = login(manager).get(reverse("followups:team"), {"assignee": colleague.pk})
    assert list(response.context["page"]) == []
    assert [row["assignee_id"] for row in response.context["overview"]] == [colleague.pk]


def test_manager_reassigns_inline_from_the_team_view(login, manager, colleague, owners_purchase):
    followup = owners_purchase.followups.get(title="Day 1 call")
    client = login(manager)
    url = reverse("followups:followup-reassign", args=[followup.pk])
    form_row = client.get(url, {"layout": "team"}, headers={"HX-Request": "true"})
    assert 'name="assignee"' in form_row.content.decode()
    response = client.post(
        url, {"assignee": colleague.pk, "layout": "team"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "handed over" in response.content.decode()
    followup.refresh_from_db()
    assert followup.assignee == colleague


def test_team_view_query_count_does_not_grow(
    login, manager, north, playbook, django_assert_max_num_queries
):
    for number in range(8):
        seller = UserFactory(username=f"seller{number}", roles=["sales"], branches=[north])
        planned_purchase(branch=north, salesperson=seller, handover=HANDOVER, playbook=playbook)
    other = BranchFactory(name="Elsewhere", code="ELSE")
    planned_purchase(
        branch=other,
        salesperson=UserFactory(roles=["sales"], branches=[other]),
        handover=HANDOVER,
        playbook=playbook,
    )
    client = login(manager)
    # session, user, user permissions, group permissions, the user's role groups, the user's
    # branches (scoping), the ONE aggregate over assignees and branches, the list's count, its
    # page (customer, purchase, category, assignee and branch joined), the purchases' lines with
    # their products, the filter's choices (branches, staff), unread notifications
    with django_assert_max_num_queries(13):
        response = client.get(reverse("followups:team"))
    assert len(response.context["overview"]) == 8
    assert len(response.context["page"]) == 25


def test_surveys_the_system_emails_are_nobodys_task(login, owner, north):
    purchase = PurchaseFactory(customer=CustomerFactory(branch=north), salesperson=owner)
    FollowUpFactory(purchase=purchase, kind=StepKind.SURVEY, channel="email", title="By e-mail")
    FollowUpFactory(purchase=purchase, kind=StepKind.SURVEY, channel="phone", title="By phone")
    page = login(owner).get(reverse("followups:inbox")).content.decode()
    assert "By phone" in page
    assert "By e-mail" not in page
