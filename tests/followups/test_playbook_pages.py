"""Administrators keep the playbooks: list, detail, create and edit with an inline step formset."""

import pytest
from django.urls import reverse

from aftersales.errors import DomainError
from customers.models import InvolvementLevel
from followups import services
from followups.models import Playbook, PlaybookStep, StepKind
from tests.customers.factories import ProductCategoryFactory
from tests.followups.factories import PlaybookFactory, PlaybookStepFactory

STEP_FIELDS = {
    "anchor": "handover",
    "offset_days": "7",
    "kind": StepKind.CHECK_IN,
    "channel": "phone",
    "assignee_role": "salesperson",
    "purpose": "care",
    "title_en": "One-week check-in",
    "instructions_en": "Noises? Function? Did the handover answer every question?",
}


def formset_data(steps, *, initial=0, prefix="steps"):
    """POST data of the step formset: the given step dicts, then one empty extra row."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(steps) + 1),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for number, step in enumerate(steps):
        for name, value in step.items():
            data[f"{prefix}-{number}-{name}"] = value
    # The empty extra row carries the model defaults, as the browser sends them.
    extra = len(steps)
    for name in ("anchor", "channel", "assignee_role", "purpose"):
        data[f"{prefix}-{extra}-{name}"] = STEP_FIELDS[name]
    return data


@pytest.fixture
def category(db):
    return ProductCategoryFactory(name="New cars", code="new-cars")


@pytest.fixture
def playbook(category):
    playbook = PlaybookFactory(name="New cars plan", category=category)
    PlaybookStepFactory(playbook=playbook, offset_days=1, title="Thank-you call")
    PlaybookStepFactory(playbook=playbook, offset_days=30, title="One-month check-in")
    return playbook


@pytest.mark.parametrize("persona", ["manager", "owner", "quality_manager", "shopper"])
@pytest.mark.parametrize("page", ["list", "detail", "create", "update"])
def test_playbook_pages_are_for_administrators_only(login, request, playbook, persona, page):
    url = {
        "list": reverse("followups:playbook-list"),
        "detail": playbook.get_absolute_url(),
        "create": reverse("followups:playbook-create"),
        "update": reverse("followups:playbook-update", args=[playbook.pk]),
    }[page]
    assert login(request.getfixturevalue(persona)).get(url).status_code == 403


def test_administrator_lists_playbooks(login, admin_user, playbook, django_assert_max_num_queries):
    PlaybookFactory(category=None, involvement=InvolvementLevel.LOW, name="Low fallback")
    client = login(admin_user)
    # session, user, user permissions, group permissions, the count, the page (category joined,
    # steps counted), unread notifications, the user's role groups (navigation)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("followups:playbook-list"))
    page = response.content.decode()
    assert "New cars plan" in page
    assert "fallback for involvement" in page
    assert [p.step_count for p in response.context["page"]] == [0, 2]


def test_playbook_list_search(login, admin_user, playbook):
    PlaybookFactory(name="Tyres")
    response = login(admin_user).get(reverse("followups:playbook-list"), {"q": "tyre"})
    assert [p.name for p in response.context["page"]] == ["Tyres"]


def test_playbook_detail_shows_the_steps(login, admin_user, playbook):
    page = login(admin_user).get(playbook.get_absolute_url()).content.decode()
    assert "Thank-you call" in page
    assert "One-month check-in" in page
    assert "handover + 30 days" in page


def test_administrator_creates_a_playbook_with_steps(login, admin_user, category):
    data = {
        "name_en": "Dense plan",
        "category": category.pk,
        "involvement": "",
        "is_active": "on",
        **formset_data([STEP_FIELDS, {**STEP_FIELDS, "offset_days": "1", "title_en": "Thanks"}]),
    }
    response = login(admin_user).post(reverse("followups:playbook-create"), data, follow=True)
    playbook = Playbook.objects.get(name="Dense plan")
    assert response.redirect_chain == [(playbook.get_absolute_url(), 302)]
    assert "Playbook “Dense plan” saved." in response.content.decode()
    assert list(playbook.steps.values_list("offset_days", "title")) == [
        (1, "Thanks"),
        (7, "One-week check-in"),
    ]


def test_administrator_edits_adds_and_deletes_steps(login, admin_user, playbook):
    thanks, month = playbook.steps.order_by("offset_days")
    existing = [
        {**STEP_FIELDS, "id": str(thanks.pk), "offset_days": "2", "title_en": "Thank-you call"},
        {**STEP_FIELDS, "id": str(month.pk), "offset_days": "30", "DELETE": "on"},
        {**STEP_FIELDS, "offset_days": "90", "title_en": "Quarter check-in"},
    ]
    data = {
        "name_en": "New cars plan",
        "category": playbook.category_id,
        "involvement": "",
        "is_active": "on",
        **formset_data(existing, initial=2),
    }
    response = login(admin_user).post(
        reverse("followups:playbook-update", args=[playbook.pk]), data
    )
    assert response.status_code == 302
    assert list(playbook.steps.values_list("offset_days", "title")) == [
        (2, "Thank-you call"),
        (90, "Quarter check-in"),
    ]
    assert PlaybookStep.objects.filter(pk=thanks.pk).exists()
    assert not PlaybookStep.objects.filter(pk=month.pk).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"involvement": InvolvementLevel.HIGH}, "either for a product category or the fallback"),
        ({"category": ""}, "either for a product category or the fallback"),
    ],
)
def test_a_playbook_is_for_a_category_or_a_fallback(login, admin_user, category, fields, message):
    data = {
        "name_en": "Confused",
        "category": category.pk,
        "involvement": "",
        **fields,
        **formset_data([STEP_FIELDS]),
    }
    response = login(admin_user).post(reverse("followups:playbook-create"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].non_field_errors())
    assert not Playbook.objects.filter(name="Confused").exists()


def test_a_playbook_needs_a_step(login, admin_user, category):
    data = {"name_en": "Empty", "category": category.pk, "involvement": "", **formset_data([])}
    response = login(admin_user).post(reverse("followups:playbook-create"), data)
    assert response.context["form"].non_field_errors() == ["A playbook needs at least one step."]
    assert not Playbook.objects.exists()


def test_step_errors_show_on_the_step(login, admin_user, category):
    data = {
        "name_en": "Sloppy",
        "category": category.pk,
        "involvement": "",
        **formset_data([{**STEP_FIELDS, "title_en": "", "offset_days": "soon"}]),
    }
    response = login(admin_user).post(reverse("followups:playbook-create"), data)
    errors = response.context["steps"].forms[0].errors
    assert set(errors) == {"title_en", "offset_days"}
    assert not Playbook.objects.exists()


def test_save_playbook_refuses_non_administrators(manager, playbook):
    with pytest.raises(DomainError, match="Only administrators"):
        services.save_playbook(by=manager, playbook=playbook, data={"name": "Mine"}, steps=[{}])
    playbook.refresh_from_db()
    assert playbook.name == "New cars plan"


def test_save_playbook_refuses_a_step_of_another_playbook(admin_user, playbook):
    foreign = PlaybookStepFactory()
    with pytest.raises(DomainError, match="does not belong"):
        services.save_playbook(
            by=admin_user,
            playbook=playbook,
            data={},
            steps=[{"pk": foreign.pk, "title": "Stolen"}],
        )


def test_save_playbook_names_the_invalid_step(admin_user, playbook):
    with pytest.raises(DomainError, match="Step 2:") as raised:
        services.save_playbook(
            by=admin_user,
            playbook=playbook,
            data={},
            steps=[{**STEP_FIELDS, "offset_days": 1}, {**STEP_FIELDS, "kind": "nonsense"}],
        )
    assert raised.value.field == "steps"


def test_german_readers_see_the_purchase_significance_not_the_jargon(login, admin_user, playbook):
    PlaybookFactory(category=None, involvement=InvolvementLevel.HIGH, name="High fallback")
    client = login(admin_user)
    client.cookies["django_language"] = "de"
    for url in (reverse("followups:playbook-list"), playbook.get_absolute_url()):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        assert "Involvement" not in page, url
    listing = client.get(reverse("followups:playbook-list"), HTTP_ACCEPT_LANGUAGE="de")
    assert "Standardplan für Kaufbedeutung „hoch“" in listing.content.decode()
