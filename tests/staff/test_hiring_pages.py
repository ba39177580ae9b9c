"""The hiring pages: who may open them (managers and administrators; another branch's manager
gets 404, every other role 403), the candidate list with search, filters, sorting and
pagination, adding and editing, the assessment form with its anchors, the combined results with
the spread, the decision, erasure after confirmation; and the query counts."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from staff.hiring import services
from staff.hiring.competencies import SCALES
from staff.models import Candidate, CandidateAssessment, Competency
from tests.aftersales.factories import UserFactory
from tests.staff.factories import CandidateFactory
from tests.staff.hiring_helpers import assess, form_data

Status = Candidate.Status
LIST = reverse("staff:candidate-list")
CREATE = reverse("staff:candidate-create")


@pytest.fixture
def second_manager(north):
    return UserFactory(username="max", roles=["manager"], branches=[north])


@pytest.fixture
def south_manager(south):
    return UserFactory(username="sue", roles=["manager"], branches=[south])


@pytest.fixture
def service_user(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


@pytest.fixture
def candidate(north):
    return CandidateFactory(
        branch=north, first_name="Lena", last_name="Vogt", email="lena@example.com"
    )


def object_urls(candidate):
    return [
        reverse(f"staff:candidate-{name}", args=[candidate.pk])
        for name in ("detail", "update", "assessment", "delete")
    ]


# --- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager", "admin_user"])
def test_managers_and_administrators_open_every_page(request, login, persona, candidate):
    client = login(request.getfixturevalue(persona))
    for url in [LIST, CREATE, *object_urls(candidate)]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "persona", ["owner", "colleague", "outsider", "service_user", "quality_manager", "shopper"]
)
def test_every_other_role_is_refused(request, login, persona, candidate, manager):
    client = login(request.getfixturevalue(persona))
    for url in [LIST, CREATE, *object_urls(candidate)]:
        assert client.get(url).status_code == 403, url
    decide_url = reverse("staff:candidate-decide", args=[candidate.pk])
    for url in [CREATE, decide_url, *object_urls(candidate)[1:]]:
        assert client.post(url, {"status": "rejected", "reason": "x"}).status_code == 403, url
    candidate.refresh_from_db()
    assert candidate.status == Status.OPEN


def test_another_branchs_manager_gets_404(login, south_manager, candidate):
    client = login(south_manager)
    for url in object_urls(candidate):
        assert client.get(url).status_code == 404, url
    decide_url = reverse("staff:candidate-decide", args=[candidate.pk])
    assert client.post(decide_url, {"status": "rejected", "reason": "x"}).status_code == 404
    assert client.post(object_urls(candidate)[3]).status_code == 404
    assert Candidate.objects.get().status == Status.OPEN
    assert "Vogt" not in client.get(LIST).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, candidate):
    for url in [LIST, *object_urls(candidate)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_decide_takes_post_only(login, manager, candidate):
    response = login(manager).get(reverse("staff:candidate-decide", args=[candidate.pk]))
    assert response.status_code == 405


# --- list ----------------------------------------------------------------------------------------


def test_the_list_searches_filters_and_sorts(login, manager, north, south, admin_user):
    CandidateFactory(branch=north, first_name="Anna", last_name="Zeller", role="sales")
    CandidateFactory(branch=north, first_name="Bernd", last_name="Adler", role="service")
    CandidateFactory(
        branch=north, first_name="Carla", last_name="Meier", role="sales", status=Status.REJECTED
    )
    CandidateFactory(branch=south, first_name="Dora", last_name="Süd", role="sales")
    client = login(manager)

    def names(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200
        return [candidate.last_name for candidate in response.context["page"]]

    assert names(sort="name") == ["Adler", "Meier", "Zeller"]
    assert names(sort="-name") == ["Zeller", "Meier", "Adler"]
    assert names(q="zell") == ["Zeller"]
    assert names(q="anna zel") == ["Zeller"]
    assert names(role="service") == ["Adler"]
    assert names(status="rejected") == ["Meier"]
    assert names(status="open", sort="name") == ["Adler", "Zeller"]
    # South is not one of mia's branches: the filter offers only hers and ignores another id.
    assert sorted(names(branch=south.pk)) == ["Adler", "Meier", "Zeller"]
    assert sorted(names(branch=north.pk)) == ["Adler", "Meier", "Zeller"]
    # An administrator sees every branch and can filter by one.
    assert login(admin_user).get(LIST, {"branch": south.pk}).context["page"][0].last_name == "Süd"


def test_the_list_shows_counts_and_the_mean_only_once_visible(
    login, manager, second_manager, candidate
):
    assess(candidate, manager, 4, 4, 4, 4, 5)
    page = login(second_manager).get(LIST).content.decode()
    assert "hidden" in page
    assert "4.2" not in page
    page = login(manager).get(LIST).content.decode()
    assert "4.2" in page
    assert "incl. yours" in page


def test_the_list_has_an_empty_state_and_pages(login, manager, north):
    client = login(manager)
    assert "No candidates yet" in client.get(LIST).content.decode()
    assert "No candidates match" in client.get(LIST, {"q": "nobody"}).content.decode()
    CandidateFactory.create_batch(30, branch=north)
    response = client.get(LIST, {"page": 2})
    assert len(response.context["page"]) == 5
    assert "Page 2 of 2" in response.content.decode()


# --- add and edit --------------------------------------------------------------------------------


def test_a_manager_adds_a_candidate(login, manager, north):
    response = login(manager).post(
        CREATE,
        {
            "first_name": "Lena",
            "last_name": "Vogt",
            "email": "lena@example.com",
            "role": "sales",
            "branch": north.pk,
        },
        follow=True,
    )
    candidate = Candidate.objects.get()
    assert response.redirect_chain[-1][0] == candidate.get_absolute_url()
    assert "Candidate Lena Vogt added." in response.content.decode()
    assert (candidate.created_by, candidate.branch) == (manager, north)


def test_bad_input_is_a_field_error(login, manager, north, south):
    client = login(manager)
    response = client.post(CREATE, {"first_name": "Lena", "email": "nope", "branch": south.pk})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"last_name", "email", "role", "branch"}
    assert "Choose the role they applied for." in errors["role"]
    assert not Candidate.objects.exists()


def test_editing_corrects_the_data_until_the_decision(login, manager, candidate, north):
    client = login(manager)
    url = reverse("staff:candidate-update", args=[candidate.pk])
    assert client.get(url).context["form"].initial["last_name"] == "Vogt"
    data = {"first_name": "Lena", "last_name": "Vogt-Berg", "role": "service", "branch": north.pk}
    response = client.post(url, data)
    assert response.url == candidate.get_absolute_url()
    candidate.refresh_from_db()
    assert (candidate.last_name, candidate.role, candidate.email) == ("Vogt-Berg", "service", "")

    services.decide(candidate=candidate, status=Status.WITHDRAWN, reason="Gone", by=manager)
    response = client.post(url, {**data, "last_name": "Other"}, follow=True)
    assert "cannot be changed after the decision" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.last_name == "Vogt-Berg"


# --- assessment ----------------------------------------------------------------------------------


def test_the_assessment_form_shows_every_anchor(login, manager, candidate):
    page = login(manager).get(reverse("staff:candidate-assessment", args=[candidate.pk]))
    content = page.content.decode()
    for scale in SCALES.values():
        assert str(scale.label) in content
        assert str(scale.question) in content
        for _level, _name, description in scale.levels():
            assert str(escape(description)) in content
    assert content.count('type="radio"') == 25


def test_submitting_and_changing_ones_assessment(login, manager, candidate):
    client = login(manager)
    url = reverse("staff:candidate-assessment", args=[candidate.pk])
    response = client.post(url, form_data(4, 5, 3, 2, 4, notes="Calm"), follow=True)
    assert response.redirect_chain[-1][0] == candidate.get_absolute_url()
    assert "Your assessment of Lena Vogt is submitted." in response.content.decode()
    assessment = CandidateAssessment.objects.get()
    assert assessment.notes == "Calm"
    assert assessment.ratings.get(competency=Competency.RESILIENCE).rating == 2

    form = client.get(url).context["form"]
    assert form.initial[f"{Competency.RESILIENCE}_rating"] == 2
    response = client.post(url, form_data(4, 5, 3, 3, 4), follow=True)
    assert "is saved" in response.content.decode()
    assert (
        CandidateAssessment.objects.get().ratings.get(competency=Competency.RESILIENCE).rating == 3
    )


def test_a_missing_rating_is_a_field_error(login, manager, candidate):
    data = form_data(4, 5, 3, 2, 4)
    del data[f"{Competency.COMMUNICATION}_rating"]
    data[f"{Competency.RELIABILITY}_rating"] = "9"
    response = login(manager).post(reverse("staff:candidate-assessment", args=[candidate.pk]), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        f"{Competency.COMMUNICATION}_rating",
        f"{Competency.RELIABILITY}_rating",
    }
    assert not CandidateAssessment.objects.exists()


def test_no_assessment_after_the_decision(login, manager, candidate):
    services.decide(candidate=candidate, status=Status.WITHDRAWN, reason="Gone", by=manager)
    client = login(manager)
    url = reverse("staff:candidate-assessment", args=[candidate.pk])
    for response in (client.get(url), client.post(url, form_data(3, 3, 3, 3, 3))):
        assert response.url == candidate.get_absolute_url()
    assert not CandidateAssessment.objects.exists()


# --- candidate page: independence, combined results, decision ------------------------------------


def test_the_page_hides_the_others_ratings_until_ones_own_is_in(
    login, manager, second_manager, candidate
):
    assess(candidate, manager, 4, 5, 3, 2, 4, evidence="Mia saw this")
    url = candidate.get_absolute_url()
    page = login(second_manager).get(url).content.decode()
    assert "1 assessment submitted." in page
    assert "Mia saw this" not in page
    assert "Assess this candidate" in page
    assert "Overall mean" not in page

    assess(candidate, second_manager, 4, 4, 3, 4, 3)
    page = login(second_manager).get(url).content.decode()
    assert "Mia saw this" in page
    assert "Overall mean" in page
    assert "Change my assessment" in page


def test_the_combined_table_highlights_the_spread(login, manager, second_manager, candidate):
    assess(candidate, manager, 4, 5, 3, 1, 4)
    assess(candidate, second_manager, 4, 4, 3, 4, 3)
    response = login(manager).get(candidate.get_absolute_url())
    content = response.content.decode()
    combined = response.context["overview"].combined
    assert [row.disagree for row in combined.rows] == [False, False, False, True, False]
    assert content.count('class="table-warning"') == 1
    assert "assessors disagree — discuss before deciding" in content
    assert "2.50" in content  # resilience: (1 + 4) / 2
    assert "3.50" in content  # overall: 35 / 10


@time_machine.travel(datetime(2025, 3, 10, 9, 0, tzinfo=UTC), tick=False)
def test_recording_the_decision_shows_the_deletion_date(login, manager, candidate):
    client = login(manager)
    decide_url = reverse("staff:candidate-decide", args=[candidate.pk])
    response = client.post(decide_url, {"status": "rejected", "reason": ""})
    assert response.status_code == 200
    assert "Give the reason for the decision." in response.context["decision_form"].errors["reason"]

    response = client.post(
        decide_url, {"status": "rejected", "reason": "Resilience too low"}, follow=True
    )
    content = response.content.decode()
    assert "Decision recorded: rejected." in content
    assert "Will be deleted on Sept. 10, 2025." in content
    candidate.refresh_from_db()
    assert candidate.delete_after == date(2025, 9, 10)
    assert "Record the decision" not in content
    assert "Resilience too low" in content


def test_hiring_without_an_assessment_is_a_form_error(login, manager, candidate):
    response = login(manager).post(
        reverse("staff:candidate-decide", args=[candidate.pk]),
        {"status": "hired", "reason": "Nice"},
    )
    assert response.status_code == 200
    assert response.context["decision_form"].errors["status"]


def test_a_hired_candidates_page_says_they_are_kept(login, manager, candidate):
    assess(candidate, manager, 5, 5, 5, 5, 5)
    services.decide(candidate=candidate, status=Status.HIRED, reason="Excellent", by=manager)
    content = login(manager).get(candidate.get_absolute_url()).content.decode()
    assert "Hired: kept, not deleted automatically." in content
    assert "Edit data" not in content


# --- erasure -------------------------------------------------------------------------------------


def test_deleting_asks_for_confirmation_first(login, manager, candidate):
    assess(candidate, manager, 3, 3, 3, 3, 3)
    client = login(manager)
    url = reverse("staff:candidate-delete", args=[candidate.pk])
    assert "Delete Lena Vogt?" in client.get(url).content.decode()
    assert Candidate.objects.exists()
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert "Lena Vogt and their assessments have been deleted." in response.content.decode()
    assert not Candidate.objects.exists()
    assert not CandidateAssessment.objects.exists()


# --- query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize("candidates", [3, 20])
def test_the_list_query_count_does_not_grow(
    login, manager, second_manager, north, candidates, django_assert_max_num_queries
):
    for index in range(candidates):
        candidate = CandidateFactory(branch=north)
        assess(candidate, second_manager, 3, 3, 3, 3, 3)
        if index % 2:
            assess(candidate, manager, 4, 4, 4, 4, 4)
    client = login(manager)
    # 1 the session, 2 the user, 3-4 their user and group permissions, 5 their groups (roles),
    # 6 their branches (scope), 7 COUNT for the pagination, 8 unread notifications (navigation),
    # 9 the branches of the filter, 10 the page with branch, and the assessment count, own
    # assessment and visible mean as subqueries.
    with django_assert_max_num_queries(10):
        response = client.get(LIST, {"sort": "mean"})
    assert len(response.context["page"]) == candidates


@pytest.mark.parametrize("assessors", [1, 5])
def test_the_candidate_page_query_count_does_not_grow(
    login, manager, north, candidate, assessors, django_assert_max_num_queries
):
    assess(candidate, manager, 3, 3, 3, 3, 3)
    for _ in range(assessors - 1):
        assess(candidate, UserFactory(roles=["manager"], branches=[north]), 4, 2, 5, 1, 3)
    client = login(manager)
    # 1 the session, 2 the user, 3-4 their user and group permissions, 5 their groups (roles),
    # 6 their branches (scope), 7 the candidate with branch and who added and decided, 8 the
    # submitted assessments with their assessors, 9 their ratings, 10 unread notifications.
    with django_assert_max_num_queries(10):
        response = client.get(candidate.get_absolute_url())
    assert response.context["overview"].combined.assessor_count == assessors
