"""Mystery-shopping pages: templates (with versions), assignments, the shopper's form (draft,
return, submit, lock) and the review; who may open what; list query counts at two sizes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.models import Notification
from staff.models import (
    CoachingAction,
    MysteryShopAssignment,
    MysteryShopResult,
    ScorecardTemplate,
)
from staff.mystery import services
from tests.aftersales.factories import UserFactory
from tests.staff.mystery_helpers import (
    close_file,
    criteria_by_text,
    handover_assignment,
    submit,
    submitted_results,
)

Status = MysteryShopResult.Status


@pytest.fixture
def assignment(north, shopper, owner, quality_manager):
    return handover_assignment(
        shopper=shopper, branch=north, employee=owner, created_by=quality_manager
    )


def rows(*criteria, prefix="criteria"):
    data = {f"{prefix}-TOTAL_FORMS": str(len(criteria)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(criteria):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


TEMPLATE_POST = {
    "name_en": "Phone enquiry",
    "scenario": "phone_enquiry",
    "description_en": "",
    "coaching_threshold": "75",
    **rows(
        {"section_en": "Call", "text_en": "Answered within two minutes", "kind": "minutes",
         "weight": "2", "target_minutes": "2"},
        {"section_en": "", "text_en": "Name given", "kind": "yes_no", "weight": "1"},
        {"section_en": "Outcome", "text_en": "Clear next step", "kind": "yes_no", "weight": "3",
         "is_critical": "on"},
        {"section_en": "", "text_en": "", "kind": "yes_no", "weight": "1"},
    ),
}  # fmt: skip


# --- templates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("quality_manager", 200),
        ("admin_user", 200),
        ("manager", 200),
        ("owner", 403),
        ("shopper", 403),
    ],
)
def test_template_list_access(request, login, assignment, persona, status):
    response = login(request.getfixturevalue(persona)).get("/mystery-shop/templates/")
    assert response.status_code == status


def test_template_list_search_filter_and_sort(login, quality_manager, assignment):
    ScorecardTemplate.objects.create(name="Phone check", scenario="phone_enquiry", is_active=False)
    client = login(quality_manager)

    def names(query):
        page = client.get(f"/mystery-shop/templates/{query}").context["page"]
        return [template.name for template in page]

    assert names("?q=phone") == ["Phone check"]
    assert names("?scenario=vehicle_handover") == [assignment.template.name]
    assert names("?active=no") == ["Phone check"]
    assert names("?sort=-name") == sorted(names(""), reverse=True)


def test_create_a_template_with_sections_and_criteria_on_one_page(login, quality_manager):
    response = login(quality_manager).post("/mystery-shop/templates/new/", TEMPLATE_POST)
    template = ScorecardTemplate.objects.get(name="Phone enquiry")
    assert response.status_code == 302
    assert response["Location"] == template.get_absolute_url()
    version = services.current_version(template)
    assert version.coaching_threshold == 75
    structure = [
        (section.title, [(c.text, c.kind, c.weight, c.target_minutes, c.is_critical)
                         for c in section.criteria.all()])
        for section in version.sections.all()
    ]  # fmt: skip
    assert structure == [
        ("Call", [("Answered within two minutes", "minutes", 2, 2, False),
                  ("Name given", "yes_no", 1, None, False)]),
        ("Outcome", [("Clear next step", "yes_no", 3, None, True)]),
    ]  # fmt: skip
    detail = login(quality_manager).get(template.get_absolute_url())
    assert b"Answered within two minutes" in detail.content


def test_a_minutes_criterion_without_target_is_a_field_error(login, quality_manager):
    data = {**TEMPLATE_POST, "criteria-0-target_minutes": ""}
    response = login(quality_manager).post("/mystery-shop/templates/new/", data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["target_minutes"]
    assert not ScorecardTemplate.objects.exists()


def test_more_rows_keeps_what_was_typed(login, quality_manager):
    data = {**TEMPLATE_POST, "more_rows": "1"}
    response = login(quality_manager).post("/mystery-shop/templates/new/", data)
    formset = response.context["formset"]
    assert len(formset.forms) == 4 + 5
    assert formset.forms[0].initial["text_en"] == "Answered within two minutes"
    assert not ScorecardTemplate.objects.exists()


def test_editing_a_used_template_on_the_page_makes_version_two(
    login, quality_manager, assignment, shopper, owner
):
    result = submit(assignment, shopper, served_by=owner)
    template = assignment.template
    client = login(quality_manager)
    page = client.get(f"/mystery-shop/templates/{template.pk}/edit/")
    assert page.context["in_use"]
    formset = page.context["formset"]
    data = {"name_en": template.name, "scenario": template.scenario, "coaching_threshold": "70"}
    data |= rows(*[
        {name: "" if value is None else value for name, value in form.initial.items()}
        | {"is_critical": "on" if form.initial["is_critical"] else ""}
        for form in formset.forms if form.initial
    ])  # fmt: skip
    data["criteria-0-weight"] = "5"
    response = client.post(f"/mystery-shop/templates/{template.pk}/edit/", data)
    assert response.status_code == 302
    assert [v.number for v in template.versions.all()] == [2, 1]
    result.refresh_from_db()
    assert result.score == Decimal("42.5")
    detail = client.get(f"{template.get_absolute_url()}?version=1")
    assert detail.context["version"].number == 1


def test_deactivate_and_activate(login, quality_manager, assignment):
    template = assignment.template
    client = login(quality_manager)
    client.post(f"/mystery-shop/templates/{template.pk}/active/", {"active": "0"})
    template.refresh_from_db()
    assert not template.is_active
    client.post(f"/mystery-shop/templates/{template.pk}/active/", {"active": "1"})
    template.refresh_from_db()
    assert template.is_active


def test_managers_cannot_change_templates(login, manager, assignment):
    client = login(manager)
    assert client.get("/mystery-shop/templates/new/").status_code == 403
    url = f"/mystery-shop/templates/{assignment.template.pk}/edit/"
    assert client.get(url).status_code == 403


# --- assignments ---------------------------------------------------------------------------------


def test_send_a_shopper(login, quality_manager, assignment, shopper, north, owner):
    today = timezone.localdate()
    response = login(quality_manager).post(
        "/mystery-shop/assignments/new/",
        {
            "template": assignment.template.pk,
            "shopper": shopper.pk,
            "branch": north.pk,
            "window_start": today.isoformat(),
            "window_end": (today + timedelta(days=5)).isoformat(),
            "employee": owner.pk,
            "instructions": "Ask for the app.",
        },
    )
    made = MysteryShopAssignment.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == made.get_absolute_url()
    assert (made.employee, made.branch, made.version) == (owner, north, assignment.version)
    assert Notification.objects.filter(recipient=shopper, kind="mystery_shop_assigned").exists()


def test_a_window_ending_before_it_starts_is_a_field_error(login, quality_manager, assignment):
    today = timezone.localdate()
    response = login(quality_manager).post(
        "/mystery-shop/assignments/new/",
        {
            "template": assignment.template.pk,
            "shopper": assignment.shopper.pk,
            "branch": assignment.branch.pk,
            "window_start": today.isoformat(),
            "window_end": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "window_end" in response.context["form"].errors


def test_the_branch_must_be_one_of_mine(login, quality_manager, assignment, south):
    response = login(quality_manager).post(
        "/mystery-shop/assignments/new/",
        {
            "template": assignment.template.pk,
            "shopper": assignment.shopper.pk,
            "branch": south.pk,
            "window_start": timezone.localdate().isoformat(),
            "window_end": timezone.localdate().isoformat(),
        },
    )
    assert "branch" in response.context["form"].errors


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("quality_manager", 200),
        ("manager", 200),
        ("admin_user", 200),
        ("owner", 403),
        ("colleague", 403),
        ("outsider", 403),
        ("shopper", 403),
    ],
)
def test_assignment_pages_access(request, login, assignment, persona, status):
    client = login(request.getfixturevalue(persona))
    assert client.get("/mystery-shop/assignments/").status_code == status
    assert client.get(assignment.get_absolute_url()).status_code == status


def test_another_branchs_assignment_is_not_found(login, assignment, south):
    quality_south = UserFactory(roles=["quality"], branches=[south])
    client = login(quality_south)
    assert client.get(assignment.get_absolute_url()).status_code == 404
    assert list(client.get("/mystery-shop/assignments/").context["page"]) == []


def test_cancel_from_the_page(login, quality_manager, assignment):
    response = login(quality_manager).post(f"/mystery-shop/assignments/{assignment.pk}/cancel/")
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.is_cancelled


def test_the_cancel_button_only_while_nothing_was_submitted(
    login, quality_manager, manager, assignment, shopper, owner
):
    client = login(quality_manager)
    assert client.get(assignment.get_absolute_url()).context["can_cancel"]
    assert not login(manager).get(assignment.get_absolute_url()).context["can_cancel"]
    submit(assignment, shopper, served_by=owner)
    assert not login(quality_manager).get(assignment.get_absolute_url()).context["can_cancel"]


def make_assignments(count, *, north, shopper, owner):
    version = handover_assignment(shopper=shopper, branch=north).version
    for index in range(count - 1):
        made = handover_assignment(shopper=shopper, branch=north, employee=owner, version=version)
        if index % 2:
            submit(made, shopper, served_by=owner)


@pytest.mark.parametrize("count", [3, 12])
def test_assignment_list_queries(
    login, django_assert_max_num_queries, quality_manager, north, shopper, owner, count
):
    make_assignments(count, north=north, shopper=shopper, owner=owner)
    client = login(quality_manager)
    # session, user, the user's and the groups' permissions, groups (roles), the user's branch
    # ids (scope), the count, unread notifications (navigation), the filter's branches and
    # shoppers, the page with template, version, branch, shopper, employee and result joined;
    # the same whatever the number of assignments.
    with django_assert_max_num_queries(11):
        response = client.get("/mystery-shop/assignments/")
    assert len(response.context["page"]) == count


# --- the shopper's form --------------------------------------------------------------------------


def form_data(assignment, answers, **extra):
    by_text = criteria_by_text(assignment.version)
    data = {}
    for text, value in answers.items():
        criterion = by_text[text]
        if value == "n/a":
            data[f"criterion_{criterion.pk}_na"] = "on"
        else:
            data[f"criterion_{criterion.pk}"] = value
    return data | extra


POOR = {
    "Greeted within two minutes": "3",
    "Needs analysis": "4",
    "Explained every function": "no",
    "Test drive offered": "n/a",
    "Farewell": "yes",
    "What stood out": "Nobody showed me the app.",
}


def test_save_a_draft_and_come_back(login, shopper, assignment):
    client = login(shopper)
    url = f"/mystery-shop/my/{assignment.pk}/"
    data = form_data(assignment, {"Greeted within two minutes": "3"}, comments="Half done")
    response = client.post(url, {**data, "save": "1"})
    assert response.status_code == 302
    page = client.get(url)
    form = page.context["form"]
    greeting = criteria_by_text(assignment.version)["Greeted within two minutes"]
    assert form.initial[f"criterion_{greeting.pk}"] == 3
    assert form.initial["comments"] == "Half done"
    assert MysteryShopResult.objects.get().status == Status.DRAFT


def test_submit_needs_everything_and_shows_field_errors(login, shopper, assignment):
    client = login(shopper)
    url = f"/mystery-shop/my/{assignment.pk}/"
    response = client.post(url, {**form_data(assignment, {"Farewell": "yes"}), "submit": "1"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    by_text = criteria_by_text(assignment.version)
    assert "visited_at" in errors
    assert "served_by" in errors
    assert f"criterion_{by_text['Needs analysis'].pk}" in errors
    assert f"criterion_{by_text['What stood out'].pk}" not in errors
    # What was entered is kept as a draft.
    assert MysteryShopResult.objects.get().answers.count() == 1


def test_submit_and_the_result_is_locked(login, shopper, assignment, owner):
    client = login(shopper)
    url = f"/mystery-shop/my/{assignment.pk}/"
    visited = timezone.localtime(timezone.now() - timedelta(hours=2), assignment.branch.zone)
    data = form_data(
        assignment, POOR, visited_at=visited.strftime("%Y-%m-%dT%H:%M"), served_by=owner.pk
    )
    response = client.post(url, {**data, "submit": "1"})
    assert response.status_code == 302
    result = MysteryShopResult.objects.get()
    assert (result.status, result.score, result.served_by) == (
        Status.SUBMITTED,
        Decimal("42.5"),
        owner,
    )
    assert abs(result.visited_at - visited) < timedelta(minutes=1)
    # Locked: the page is read-only and a post changes nothing.
    page = client.get(url)
    assert not page.context["editable"]
    client.post(url, {**data, "comments": "changed", "save": "1"})
    result.refresh_from_db()
    assert result.comments == ""
    listed = client.get("/mystery-shop/my/")
    assert list(listed.context["results"]) == [result]
    assert list(listed.context["assignments"]) == []


@pytest.mark.parametrize("saved", [False, True])
def test_only_a_returned_result_shows_a_question(login, shopper, assignment, saved):
    # A never-saved assignment has no result, whose missing status once read as "returned".
    client = login(shopper)
    url = f"/mystery-shop/my/{assignment.pk}/"
    if saved:
        client.post(url, {**form_data(assignment, {}), "save": "1"})
    page = client.get(url)
    assert page.status_code == 200
    assert b"Question from the quality team" not in page.content


def test_a_returned_result_shows_the_question_and_can_be_resubmitted(
    login, shopper, assignment, owner, quality_manager
):
    result = submit(assignment, shopper, served_by=owner)
    services.return_result(result=result, by=quality_manager, question="Which functions?")
    client = login(shopper)
    url = f"/mystery-shop/my/{assignment.pk}/"
    page = client.get(url)
    assert page.context["editable"]
    assert b"Which functions?" in page.content
    good = {**POOR, "Explained every function": "yes"}
    data = form_data(
        assignment,
        good,
        visited_at=timezone.localtime(result.visited_at, assignment.branch.zone).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        served_by=owner.pk,
    )
    assert client.post(url, {**data, "submit": "1"}).status_code == 302
    result.refresh_from_db()
    assert (result.status, result.critical_failed) == (Status.SUBMITTED, False)


def test_photos_are_private(login, client, shopper, assignment, quality_manager, outsider):

    photo = SimpleUploadedFile("receipt.png", b"\x89PNG" + b"\0" * 32, content_type="image/png")
    login(shopper).post(f"/mystery-shop/my/{assignment.pk}/", {"attachments": photo, "save": "1"})
    result = MysteryShopResult.objects.get()
    upload = result.attachments.get()
    url = f"/mystery-shop/results/{result.pk}/attachments/{upload.pk}/"

    def status(user):
        response = login(user).get(url)
        if response.status_code == 200:
            b"".join(response.streaming_content)
            close_file(response)
        return response.status_code

    assert status(shopper) == 200
    # Staff see it once the result is submitted, in their branches only.
    assert status(quality_manager) == 404
    result.status = Status.SUBMITTED
    result.save()
    assert status(quality_manager) == 200
    assert status(UserFactory(roles=["quality"], branches=[outsider.branches.get()])) == 404
    assert status(outsider) == 403


def test_a_text_file_is_refused(login, shopper, assignment):

    text = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = login(shopper).post(
        f"/mystery-shop/my/{assignment.pk}/", {"attachments": text, "save": "1"}
    )
    assert "attachments" in response.context["form"].errors


# --- review --------------------------------------------------------------------------------------


def test_accept_a_poor_result_opens_coaching(login, shopper, assignment, owner, quality_manager):
    result = submit(assignment, shopper, served_by=owner)
    client = login(quality_manager)
    page = client.get(result.get_absolute_url())
    assert page.context["can_review"]
    response = client.post(f"/mystery-shop/results/{result.pk}/accept/", follow=True)
    assert b"coaching action for" in response.content
    action = CoachingAction.objects.get(mystery_shop_result=result)
    assert action.employee == owner
    assert [(section.title, score) for section, score, _rows in page.context["sections"]] == [
        ("Welcome", 65.0),
        ("Handover", 20.0),
    ]
    failed = [
        criterion.text
        for _section, _score, rows in page.context["sections"]
        for criterion, _answer, is_failed in rows
        if is_failed
    ]
    assert failed == ["Explained every function"]


def test_when_nobody_identifiable_served_the_page_says_so(login, shopper, north, quality_manager):
    anonymous = handover_assignment(shopper=shopper, branch=north, created_by=quality_manager)
    result = submit(anonymous, shopper, description="Someone")
    client = login(quality_manager)
    response = client.post(f"/mystery-shop/results/{result.pk}/accept/", follow=True)
    assert b"no coaching action could be opened" in response.content
    assert not CoachingAction.objects.exists()


def test_send_back_needs_a_question(login, shopper, assignment, owner, quality_manager):
    result = submit(assignment, shopper, served_by=owner)
    client = login(quality_manager)
    response = client.post(f"/mystery-shop/results/{result.pk}/return/", {"question": ""})
    assert "question" in response.context["return_form"].errors
    client.post(f"/mystery-shop/results/{result.pk}/return/", {"question": "Which desk?"})
    result.refresh_from_db()
    assert result.status == Status.RETURNED
    assert Notification.objects.filter(recipient=shopper, kind="mystery_shop_returned").exists()


@pytest.mark.parametrize(
    ("persona", "view", "review"),
    [
        ("quality_manager", 200, 302),
        ("admin_user", 200, 302),
        ("manager", 200, 403),
        ("owner", 403, 403),
        ("colleague", 403, 403),
        ("outsider", 403, 403),
        ("shopper", 403, 403),
    ],
)
def test_result_access(request, login, assignment, shopper, owner, persona, view, review):
    result = submit(assignment, shopper, served_by=owner)
    client = login(request.getfixturevalue(persona))
    assert client.get(result.get_absolute_url()).status_code == view
    assert client.get("/mystery-shop/results/").status_code == view
    assert client.post(f"/mystery-shop/results/{result.pk}/accept/").status_code == review


def test_drafts_are_not_listed_for_staff(login, shopper, assignment, quality_manager):
    result = services.save_result(assignment=assignment, by=shopper, comments="draft")
    client = login(quality_manager)
    assert list(client.get("/mystery-shop/results/").context["page"]) == []
    assert client.get(result.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("count", [3, 12])
def test_result_list_queries(
    login, django_assert_max_num_queries, quality_manager, north, shopper, owner, count
):
    submitted_results(count, shopper=shopper, branch=north, served_by=owner)
    client = login(quality_manager)
    # session, user, the user's and the groups' permissions, groups, the user's branch ids, the
    # count, unread notifications, the filter's branches, its employees and their branches, the
    # page with assignment, template, branch, shopper, employee and served_by joined.
    with django_assert_max_num_queries(12):
        response = client.get("/mystery-shop/results/")
    assert len(response.context["page"]) == count


@pytest.mark.parametrize("count", [2, 6])
def test_the_template_list_queries(
    login, django_assert_max_num_queries, quality_manager, north, shopper, count
):
    for _ in range(count):
        handover_assignment(shopper=shopper, branch=north)
    client = login(quality_manager)
    # session, user, the user's and the groups' permissions, groups, the count, unread
    # notifications, the page with the current version number and assignments annotated.
    with django_assert_max_num_queries(8):
        response = client.get("/mystery-shop/templates/")
    listed = [(t.current_number, t.assignment_count) for t in response.context["page"]]
    assert listed == [(1, 1)] * count
