"""The follow-ups REST API: follow-ups (mine / the team's), completing them, playbooks, surveys.

Personas from tests/conftest.py: owner and colleague sell in North, the manager leads North, the
outsider sells in South, the quality manager reads North, the mystery shopper is external.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import InvolvementLevel
from followups.models import (
    AssigneeRole,
    ContactEvent,
    FollowUp,
    Playbook,
    PlaybookStep,
    Purpose,
    StepKind,
    SurveyInvitation,
    SurveyResponse,
)
from quality import texts as quality_texts
from tests.api_helpers import fresh, ids
from tests.customers.factories import CustomerFactory, ProductCategoryFactory

TODAY = timezone.localdate


def days_from_today(days):
    return TODAY() + timedelta(days=days)


def make_followup(customer, assignee, due_in_days=0, **fields):
    due = days_from_today(due_in_days)
    return FollowUp.objects.create(
        customer=customer,
        branch=fields.pop("branch", customer.branch),
        kind=fields.pop("kind", StepKind.CHECK_IN),
        channel=fields.pop("channel", "phone"),
        purpose=fields.pop("purpose", Purpose.CARE),
        title=fields.pop("title", "Check-in"),
        assignee_role=AssigneeRole.SALESPERSON,
        assignee=assignee,
        planned_date=due,
        due_date=due,
        **fields,
    )


@pytest.fixture
def customer(north, owner):
    return CustomerFactory(branch=north, salesperson=owner, first_name="Hans", last_name="Müller")


@pytest.fixture
def south_customer(south):
    return CustomerFactory(branch=south, first_name="Sepp", last_name="Huber")


@pytest.fixture
def owners(customer, owner):
    """The owner's follow-up, due today."""
    return make_followup(customer, owner, title="Check-in after a week")


@pytest.fixture
def colleagues(customer, colleague):
    return make_followup(customer, colleague, due_in_days=2, kind=StepKind.THANK_YOU)


@pytest.fixture
def southern(south_customer, outsider):
    return make_followup(south_customer, outsider)


def complete_url(followup):
    return f"/api/followups/{followup.pk}/complete/"


LIST_URLS = ["/api/followups/", "/api/playbooks/", "/api/surveys/"]


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LIST_URLS)
def test_anonymous_callers_are_refused(api_client, db, url):
    assert api_client.get(url).status_code == 401


def test_mystery_shoppers_get_403_everywhere(client_for, shopper, owners):
    client = client_for(shopper)
    for url in [*LIST_URLS, f"/api/followups/{owners.pk}/"]:
        assert client.get(url).status_code == 403
    assert client.post(complete_url(owners), {"outcome": "satisfied"}).status_code == 403
    owners.refresh_from_db()
    assert owners.is_open


def test_the_list_shows_my_own_by_default(client_for, owner, owners, colleagues, southern):
    assert ids(client_for(owner).get("/api/followups/")) == [owners.pk]
    assert ids(client_for(owner).get("/api/followups/", {"scope": "mine"})) == [owners.pk]


def test_a_colleague_does_not_see_the_owners_in_mine(client_for, colleague, owners, colleagues):
    assert ids(client_for(colleague).get("/api/followups/")) == [colleagues.pk]


def test_the_manager_sees_the_team_of_the_branch(client_for, manager, owners, colleagues, southern):
    client = client_for(manager)
    assert ids(client.get("/api/followups/")) == []
    assert ids(client.get("/api/followups/", {"scope": "team"})) == [owners.pk, colleagues.pk]


def test_the_administrator_sees_every_branch(client_for, admin_user, owners, southern):
    assert set(ids(client_for(admin_user).get("/api/followups/", {"scope": "team"}))) == {
        owners.pk,
        southern.pk,
    }


@pytest.mark.parametrize("persona", ["owner", "colleague", "outsider", "quality_manager"])
def test_only_managers_may_ask_for_the_team(client_for, request, persona, owners):
    response = client_for(request.getfixturevalue(persona)).get(
        "/api/followups/", {"scope": "team"}
    )
    assert response.status_code == 403
    assert "managers" in response.json()["detail"]


def test_the_outsider_sees_nothing_of_north(client_for, outsider, owners, southern):
    client = client_for(outsider)
    assert ids(client.get("/api/followups/")) == [southern.pk]
    assert client.get(f"/api/followups/{owners.pk}/").status_code == 404
    assert client.post(complete_url(owners), {"outcome": "satisfied"}).status_code == 404


def test_a_colleague_can_open_a_followup_of_the_branch(client_for, colleague, owners):
    response = client_for(colleague).get(f"/api/followups/{owners.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "Check-in after a week"
    assert data["customer_name"] == "Hans Müller"
    assert data["assignee"] == owners.assignee_id
    assert data["status"] == "open"


def test_the_quality_manager_reads_but_does_not_complete(client_for, quality_manager, owners):
    client = client_for(quality_manager)
    assert client.get(f"/api/followups/{owners.pk}/").status_code == 200
    assert client.post(complete_url(owners), {"outcome": "satisfied"}).status_code == 403


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_followups_are_not_written_directly(client_for, manager, owners, method):
    response = getattr(client_for(manager), method)(f"/api/followups/{owners.pk}/", {})
    assert response.status_code == 405


# --- filters and ordering -------------------------------------------------------------------------


@pytest.fixture
def team(customer, owner, colleague, north):
    return {
        "overdue": make_followup(customer, owner, due_in_days=-3),
        "today": make_followup(customer, colleague, kind=StepKind.THANK_YOU),
        "later": make_followup(customer, owner, due_in_days=10, kind=StepKind.ANNIVERSARY),
        "done": make_followup(customer, colleague, due_in_days=-1, status=FollowUp.Status.DONE),
    }


def team_ids(client, **params):
    return ids(client.get("/api/followups/", {"scope": "team", **params}))


def test_filters(client_for, manager, owner, north, team):
    client = client_for(manager)
    pks = {name: followup.pk for name, followup in team.items()}
    assert team_ids(client, status="done") == [pks["done"]]
    assert team_ids(client, kind="anniversary") == [pks["later"]]
    assert team_ids(client, due_from=str(TODAY()), due_to=str(days_from_today(10))) == [
        pks["today"],
        pks["later"],
    ]
    assert team_ids(client, due_to=str(days_from_today(-1))) == [pks["overdue"], pks["done"]]
    assert team_ids(client, assignee=owner.pk) == [pks["overdue"], pks["later"]]
    assert team_ids(client, branch=north.pk, status="open") == [
        pks["overdue"],
        pks["today"],
        pks["later"],
    ]


def test_ordering(client_for, manager, team):
    client = client_for(manager)
    newest_first = team_ids(client, ordering="-due_date")
    assert newest_first[0] == team["later"].pk
    assert newest_first[-1] == team["overdue"].pk


def test_filters_combine_with_mine(client_for, owner, team):
    client = client_for(owner)
    assert ids(client.get("/api/followups/", {"status": "open"})) == [
        team["overdue"].pk,
        team["later"].pk,
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"scope": "everyone"},
        {"status": "finished"},
        {"kind": "birthday"},
        {"due_from": "yesterday"},
        {"due_to": "2026-02-30"},
        {"assignee": "nobody"},
        {"assignee": "99999999999999999999999"},
        {"branch": "-1"},
        {"ordering": "customer__email"},
        {"page": "x"},
    ],
)
def test_bad_parameters_are_never_a_500(client_for, manager, team, params):
    response = client_for(manager).get("/api/followups/", {"scope": "team", **params})
    assert response.status_code in (200, 400, 404), response.content
    if set(params) - {"ordering", "page"}:
        assert response.status_code == 400


def test_another_branch_or_its_staff_cannot_be_filtered_on(
    client_for, manager, south, outsider, team
):
    client = client_for(manager)
    for params in ({"branch": south.pk}, {"assignee": outsider.pk}):
        response = client.get("/api/followups/", {"scope": "team", **params})
        assert response.status_code == 400
        assert list(response.json()) == list(params)


# --- completing -----------------------------------------------------------------------------------


def test_complete_a_followup(client_for, owner, owners):
    response = client_for(owner).post(
        complete_url(owners),
        {"outcome": "satisfied", "satisfaction": 5, "notes": "All good."},
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["outcome"], data["satisfaction"]) == ("done", "satisfied", 5)
    assert data["completed_by"] == owner.pk
    assert data["notes"] == "All good."
    assert ContactEvent.objects.get(followup=owners).purpose == Purpose.CARE


def test_a_colleague_can_complete_in_the_owners_place(client_for, colleague, owners):
    response = client_for(colleague).post(complete_url(owners), {"outcome": "declined"})
    assert response.status_code == 200, response.content
    assert response.json()["completed_by"] == colleague.pk


def test_a_concern_needs_its_description(client_for, owner, owners):
    client = client_for(owner)
    response = client.post(complete_url(owners), {"outcome": "concern", "satisfaction": 2})
    assert response.status_code == 400
    assert list(response.json()) == ["concern"]
    owners.refresh_from_db()
    assert owners.is_open

    response = client.post(
        complete_url(owners),
        {"outcome": "concern", "satisfaction": 2, "concern": "Wind noise above 120 km/h."},
    )
    assert response.status_code == 200, response.content
    assert response.json()["concern"] == "Wind noise above 120 km/h."


def test_completing_twice_is_a_400(client_for, owner, owners):
    client = client_for(owner)
    assert client.post(complete_url(owners), {"outcome": "satisfied"}).status_code == 200
    response = client.post(complete_url(owners), {"outcome": "satisfied"})
    assert response.status_code == 400
    assert "already done" in response.json()["detail"]


def test_not_reached_tries_again(client_for, owner, owners):
    response = client_for(owner).post(complete_url(owners), {"outcome": "not_reached"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["attempts"], data["outcome"]) == ("open", 1, "not_reached")
    assert data["due_date"] > str(TODAY())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "outcome"),
        ({"outcome": "sent"}, "outcome"),
        ({"outcome": "delighted"}, "outcome"),
        ({"outcome": "satisfied", "satisfaction": 6}, "satisfaction"),
        ({"outcome": "satisfied", "satisfaction": 0}, "satisfaction"),
        ({"outcome": "satisfied", "satisfaction": "very"}, "satisfaction"),
        ({"outcome": ["satisfied"]}, "outcome"),
        ({"outcome": "satisfied", "notes": {"a": 1}}, "notes"),
    ],
)
def test_invalid_completion_is_a_400_naming_the_field(client_for, owner, owners, body, field):
    response = client_for(owner).post(complete_url(owners), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    owners.refresh_from_db()
    assert owners.is_open


def test_malformed_body_is_a_400(client_for, owner, owners):
    response = client_for(owner).post(
        complete_url(owners), "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_unknown_ids_are_404(client_for, owner, db):
    client = client_for(owner)
    assert client.get("/api/followups/999999/").status_code == 404
    assert client.get("/api/followups/abc/").status_code == 404
    assert client.post("/api/followups/99999999999999999999/complete/", {}).status_code == 404


# --- query counts ---------------------------------------------------------------------------------


@pytest.fixture
def many(north, owner, colleague):
    for index in range(12):
        customer = CustomerFactory(branch=north)
        make_followup(customer, owner if index % 2 else colleague, due_in_days=index - 4)


def test_my_list_query_count(client_for, owner, many, django_assert_max_num_queries):
    client = client_for(fresh(owner))
    # 1 the caller's groups (staff check), 2 their branches (scope), 3-4 their user and group
    # permissions, 5 COUNT for the pagination, 6 the page joined with customer, branch, assignee.
    with django_assert_max_num_queries(6):
        response = client.get("/api/followups/")
    assert response.json()["count"] == 6


def test_team_list_query_count(client_for, manager, many, django_assert_max_num_queries):
    client = client_for(fresh(manager))
    # The same six: the team permission comes from the permissions already loaded.
    with django_assert_max_num_queries(6):
        response = client.get("/api/followups/", {"scope": "team", "status": "open"})
    assert response.json()["count"] == 12


def test_a_page_of_recovery_calls_names_its_customers_without_a_query_each(
    client_for, manager, north, owner, django_assert_max_num_queries
):
    """The list loads only the customer's name and salutation columns; the recovery call's texts
    read no other, so a page of them costs the same six queries (and one for the customers'
    open complaints, named in the instructions)."""
    people = [
        CustomerFactory(branch=north, first_name="Eva", last_name=f"Berg{index}", salutation="ms")
        for index in range(4)
    ]
    company = CustomerFactory(
        branch=north, kind="company", company_name="Autohaus Nord", first_name="", last_name=""
    )
    for customer in [*people, company]:
        make_followup(
            customer,
            owner,
            title_code=quality_texts.RECOVERY_TITLE,
            instructions_code=quality_texts.RECOVERY_INSTRUCTIONS,
        )
    client = client_for(fresh(manager))
    with django_assert_max_num_queries(7):
        rows = client.get("/api/followups/", {"scope": "team"}).json()["results"]
    titles = {row["title"] for row in rows}
    assert titles == {f"Recovery call: {customer}" for customer in [*people, company]}
    assert {row["customer_name"] for row in rows} == {str(c) for c in [*people, company]}
    assert all(row["instructions"].startswith("Call personally.") for row in rows)


# --- playbooks ------------------------------------------------------------------------------------


@pytest.fixture
def car_playbook(db):
    cars = ProductCategoryFactory(name="Cars", code="cars", involvement=InvolvementLevel.HIGH)
    playbook = Playbook.objects.create(name="New cars", category=cars)
    for offset, kind, title in [
        (1, StepKind.THANK_YOU, "Thank you"),
        (7, StepKind.CHECK_IN, "Check-in after a week"),
        (30, StepKind.SURVEY, "Survey"),
    ]:
        PlaybookStep.objects.create(
            playbook=playbook, offset_days=offset, kind=kind, title=title, channel="phone"
        )
    return playbook


@pytest.fixture
def fallback_playbook(db):
    playbook = Playbook.objects.create(name="Low involvement", involvement=InvolvementLevel.LOW)
    PlaybookStep.objects.create(
        playbook=playbook, offset_days=3, kind=StepKind.THANK_YOU, title="Thanks"
    )
    return playbook


def test_playbooks_with_their_steps(client_for, owner, car_playbook, fallback_playbook):
    response = client_for(owner).get("/api/playbooks/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [playbook["name"] for playbook in results] == ["Low involvement", "New cars"]
    cars = results[1]
    assert cars["category_name"] == "Cars"
    assert [step["offset_days"] for step in cars["steps"]] == [1, 7, 30]
    assert cars["steps"][1]["kind"] == "check_in"
    assert results[0]["category_name"] is None
    assert results[0]["involvement"] == "low"

    detail = client_for(owner).get(f"/api/playbooks/{car_playbook.pk}/").json()
    assert len(detail["steps"]) == 3


def test_playbook_filters(client_for, owner, car_playbook, fallback_playbook):
    client = client_for(owner)
    assert ids(client.get("/api/playbooks/", {"involvement": "low"})) == [fallback_playbook.pk]
    assert ids(client.get("/api/playbooks/", {"category": car_playbook.category_id})) == [
        car_playbook.pk
    ]
    assert client.get("/api/playbooks/", {"involvement": "extreme"}).status_code == 400


def test_playbooks_are_read_only(client_for, admin_user, car_playbook):
    client = client_for(admin_user)
    assert client.post("/api/playbooks/", {"name": "X"}).status_code == 405
    assert client.patch(f"/api/playbooks/{car_playbook.pk}/", {"name": "X"}).status_code == 405


def test_playbook_list_query_count(client_for, owner, db, django_assert_max_num_queries):
    for index in range(6):
        category = ProductCategoryFactory(code=f"cat-{index}")
        playbook = Playbook.objects.create(name=f"Plan {index}", category=category)
        for offset in (1, 7):
            PlaybookStep.objects.create(
                playbook=playbook, offset_days=offset, kind=StepKind.CHECK_IN, title="Call"
            )
    client = client_for(fresh(owner))
    # 1 the caller's groups (staff check), 2-3 their user and group permissions, 4 COUNT for the
    # pagination, 5 the page joined with the category, 6 the steps of the page's playbooks.
    with django_assert_max_num_queries(6):
        response = client.get("/api/playbooks/")
    assert response.json()["count"] == 6


# --- survey responses -----------------------------------------------------------------------------


def answered(customer, *, nps=9, purchase=5, handover=5, **fields):
    now = timezone.now()
    invitation = SurveyInvitation.objects.create(
        customer=customer,
        branch=customer.branch,
        sent_at=now - timedelta(days=2),
        expires_at=now + timedelta(days=28),
        answered_at=now,
    )
    return SurveyResponse.objects.create(
        invitation=invitation,
        nps=nps,
        satisfaction_purchase=purchase,
        satisfaction_handover=handover,
        **fields,
    )


@pytest.fixture
def responses(customer, south_customer):
    return {
        "happy": answered(customer, comment="Great."),
        "unhappy": answered(customer, nps=4, handover=2, callback_wanted=True),
        "southern": answered(south_customer),
    }


def test_survey_responses_are_scoped_by_branch(
    client_for, owner, outsider, quality_manager, admin_user, responses
):
    north_ids = {responses["happy"].pk, responses["unhappy"].pk}
    assert set(ids(client_for(owner).get("/api/surveys/"))) == north_ids
    assert set(ids(client_for(quality_manager).get("/api/surveys/"))) == north_ids
    assert ids(client_for(outsider).get("/api/surveys/")) == [responses["southern"].pk]
    assert len(ids(client_for(admin_user).get("/api/surveys/"))) == 3
    client = client_for(outsider)
    assert client.get(f"/api/surveys/{responses['happy'].pk}/").status_code == 404


def test_a_survey_response_with_its_invitation(client_for, owner, customer, responses):
    data = client_for(owner).get(f"/api/surveys/{responses['unhappy'].pk}/").json()
    assert (data["nps"], data["satisfaction_handover"], data["is_low"]) == (4, 2, True)
    assert data["callback_wanted"] is True
    assert data["invitation"]["customer"] == customer.pk
    assert data["invitation"]["customer_name"] == "Hans Müller"
    assert data["invitation"]["branch"] == customer.branch_id
    assert data["invitation"]["answered_at"] is not None


def test_survey_filters(client_for, manager, north, south, responses):
    client = client_for(manager)
    assert ids(client.get("/api/surveys/", {"low": "true"})) == [responses["unhappy"].pk]
    assert ids(client.get("/api/surveys/", {"low": "false"})) == [responses["happy"].pk]
    assert ids(client.get("/api/surveys/", {"callback_wanted": "true"})) == [
        responses["unhappy"].pk
    ]
    assert len(ids(client.get("/api/surveys/", {"branch": north.pk}))) == 2
    assert client.get("/api/surveys/", {"branch": south.pk}).status_code == 400
    assert client.get("/api/surveys/", {"answered_from": "soon"}).status_code == 400


def test_survey_responses_are_read_only(client_for, admin_user, responses):
    client = client_for(admin_user)
    assert client.post("/api/surveys/", {"nps": 10}).status_code == 405
    assert client.delete(f"/api/surveys/{responses['happy'].pk}/").status_code == 405


def test_survey_list_query_count(client_for, owner, north, django_assert_max_num_queries):
    for _index in range(8):
        answered(CustomerFactory(branch=north))
    client = client_for(fresh(owner))
    # 1 the caller's groups (staff check), 2 their branches (scope), 3-4 their user and group
    # permissions, 5 COUNT for the pagination, 6 the page joined with invitation and customer.
    with django_assert_max_num_queries(6):
        response = client.get("/api/surveys/")
    assert response.json()["count"] == 8
