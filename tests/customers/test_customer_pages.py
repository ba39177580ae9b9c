import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers import services
from customers.models import Customer, Purchase
from followups.models import FollowUp
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, PurchaseFactory
from tests.followups.factories import FollowUpFactory


@pytest.fixture
def service_user(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


@pytest.fixture
def north_customer(north):
    return CustomerFactory(branch=north, first_name="Jana", last_name="Müller")


@pytest.fixture
def south_customer(south):
    return CustomerFactory(branch=south, first_name="Karl", last_name="Huber")


@pytest.mark.parametrize(
    ("persona", "sees_north", "sees_south"),
    [
        ("owner", True, False),
        ("colleague", True, False),
        ("service_user", True, False),
        ("outsider", False, True),
        ("admin_user", True, True),
    ],
)
def test_customer_list_is_scoped(
    request, login, north_customer, south_customer, persona, sees_north, sees_south
):
    response = login(request.getfixturevalue(persona)).get(reverse("customers:customer-list"))
    shown = set(response.context["page"])
    assert (north_customer in shown) is sees_north
    assert (south_customer in shown) is sees_south


def test_shopper_sees_no_customers(login, shopper, north_customer):
    client = login(shopper)
    assert client.get(reverse("customers:customer-list")).status_code == 403
    assert client.get(north_customer.get_absolute_url()).status_code == 403


def test_outsider_gets_404_on_another_branchs_customer(login, outsider, north_customer):
    assert login(outsider).get(north_customer.get_absolute_url()).status_code == 404


def test_list_search_is_accent_insensitive(login, owner, north_customer, north):
    CustomerFactory(branch=north, first_name="Paul", last_name="Schneider")
    response = login(owner).get(reverse("customers:customer-list"), {"q": "mueller"})
    assert list(response.context["page"]) == [north_customer]


def test_list_filters_by_consent_and_purchase_period(login, owner, north):
    with_consent = CustomerFactory(branch=north, consent_email=True)
    buyer = CustomerFactory(branch=north)
    PurchaseFactory(customer=buyer, purchase_date="2025-03-01", handover_date="2025-03-10")
    client = login(owner)
    consenting = client.get(reverse("customers:customer-list"), {"consent": "email"})
    assert list(consenting.context["page"]) == [with_consent]
    in_period = client.get(
        reverse("customers:customer-list"),
        {"purchased_from": "2025-01-01", "purchased_to": "2025-12-31"},
    )
    assert list(in_period.context["page"]) == [buyer]


def test_list_sorts_by_last_purchase(login, owner, north):
    older, newer = CustomerFactory(branch=north), CustomerFactory(branch=north)
    PurchaseFactory(customer=older, purchase_date="2024-01-01", handover_date="2024-01-02")
    PurchaseFactory(customer=newer, purchase_date="2025-01-01", handover_date="2025-01-02")
    response = login(owner).get(reverse("customers:customer-list"), {"sort": "-last_purchase"})
    assert list(response.context["page"])[:2] == [newer, older]


def test_customer_list_query_count(login, owner, north, django_assert_max_num_queries):
    for customer in CustomerFactory.create_batch(30, branch=north):
        PurchaseFactory(customer=customer)
    client = login(owner)
    # session, user, role groups, branches visible (filter form), user and group permissions,
    # count, page (with last purchase subquery, branch and salesperson joined), filter choices
    # (branches, salespeople), unread notifications
    with django_assert_max_num_queries(11):
        response = client.get(reverse("customers:customer-list"))
    assert len(response.context["page"]) == 25


def test_customer_detail_shows_purchases_consent_and_timeline(login, owner, north_customer):
    PurchaseFactory(customer=north_customer, identifier="WVW-TIMELINE")
    page = login(owner).get(north_customer.get_absolute_url()).content.decode()
    assert "WVW-TIMELINE" in page
    assert "Marketing consent" in page
    assert "Handover:" in page


@pytest.mark.parametrize(
    ("language", "coming_up", "history", "overdue"),
    [("en", "Coming up", "History", "overdue"), ("de", "Demnächst", "Verlauf", "überfällig")],
)
def test_the_timeline_shows_what_is_coming_up_apart_from_the_history(
    login, owner, north_customer, language, coming_up, history, overdue
):
    today = timezone.localdate()
    handed_over = PurchaseFactory(
        customer=north_customer,
        purchase_date=today - timedelta(days=40),
        handover_date=today - timedelta(days=30),
    )
    PurchaseFactory(
        customer=north_customer,
        purchase_date=today - timedelta(days=1),
        handover_date=today + timedelta(days=10),
        status=Purchase.Status.ORDERED,
    )
    for title, days in [("Check-in call", 5), ("Thank-you call", -2)]:
        FollowUpFactory(purchase=handed_over, title=title, due_date=today + timedelta(days=days))
    FollowUpFactory(
        purchase=handed_over,
        title="Welcome call",
        due_date=today - timedelta(days=25),
        status=FollowUp.Status.DONE,
        completed_at=timezone.now() - timedelta(days=25),
    )
    response = login(owner).get(north_customer.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)

    timeline = response.context["timeline"]
    # Soonest first, the overdue call on top; then the history, newest first.
    assert [(event.kind, event.when.date()) for event in timeline.coming_up] == [
        ("followup", today - timedelta(days=2)),
        ("followup", today + timedelta(days=5)),
        ("handover", today + timedelta(days=10)),
    ]
    assert [event.is_overdue for event in timeline.coming_up] == [True, False, False]
    assert [event.kind for event in timeline.history] == [
        "purchase",
        "followup",
        "handover",
        "purchase",
    ]
    assert [event.when for event in timeline.history] == sorted(
        (event.when for event in timeline.history), reverse=True
    )
    page = response.content.decode().split('id="timeline-heading"')[1]
    upcoming_part, past_part = page.split(f'id="past-heading">{history}</h3>')
    assert f'id="coming-up-heading">{coming_up}</h3>' in upcoming_part
    assert upcoming_part.index("Thank-you call") < upcoming_part.index("Check-in call")
    assert upcoming_part.count(overdue) == 1
    assert "Welcome call" in past_part
    assert "Check-in call" not in past_part


@pytest.mark.parametrize("purchases", [1, 6])
def test_customer_detail_query_count(
    login, owner, north_customer, purchases, django_assert_max_num_queries
):
    for number in range(purchases):
        PurchaseFactory(customer=north_customer, identifier=f"VIN-{number}")
    client = login(owner)
    # Session, user (with roles, branches and permissions); the customer, its purchases, their
    # lines and its consent records (the consent panel and the timeline read them); the other
    # apps' timelines: follow-ups, survey answers, complaints, appointments; quality's
    # dissonance panel; unread notifications; the change history.
    with django_assert_max_num_queries(13):
        response = client.get(north_customer.get_absolute_url())
    page = response.content.decode()
    assert all(f"VIN-{number}" in page for number in range(purchases))


def test_sales_creates_a_customer_and_is_warned_about_a_duplicate(login, owner, north):
    CustomerFactory(branch=north, email="jana@example.com", last_name="Müller")
    data = {
        "kind": "person",
        "first_name": "Jana",
        "last_name": "Mueller",
        "email": "jana@example.com",
        "country": "DE",
        "preferred_language": "de",
        "preferred_channel": "phone",
        "branch": north.pk,
    }
    client = login(owner)
    warned = client.post(reverse("customers:customer-create"), data)
    assert warned.status_code == 200
    assert len(warned.context["candidates"]) == 1
    assert Customer.objects.count() == 1
    confirmed = client.post(reverse("customers:customer-create"), {**data, "confirmed_new": "on"})
    assert confirmed.status_code == 302
    assert Customer.objects.count() == 2


def test_the_new_customer_form_preselects_the_only_branch(login, owner, north, south):
    form = login(owner).get(reverse("customers:customer-create")).context["form"]
    assert form["branch"].value() == north.pk
    two_branches = UserFactory(roles=["sales"], branches=[north, south])
    form = login(two_branches).get(reverse("customers:customer-create")).context["form"]
    assert form["branch"].value() is None


def test_service_staff_cannot_create_or_edit_customers(login, service_user, north_customer):
    client = login(service_user)
    assert client.get(reverse("customers:customer-create")).status_code == 403
    url = reverse("customers:customer-update", args=[north_customer.pk])
    assert client.get(url).status_code == 403


def test_colleague_edits_a_customer_of_the_branch(login, colleague, north_customer, north):
    response = login(colleague).post(
        reverse("customers:customer-update", args=[north_customer.pk]),
        {
            "kind": "person",
            "first_name": "Jana",
            "last_name": "Müller-Lang",
            "email": north_customer.email,
            "country": "DE",
            "preferred_language": "de",
            "preferred_channel": "email",
            "branch": north.pk,
        },
    )
    assert response.status_code == 302
    north_customer.refresh_from_db()
    assert north_customer.last_name == "Müller-Lang"
    assert "mullerlang" in north_customer.search_text.replace("-", "").replace(" ", "")


def test_consent_is_recorded_from_the_detail_page(login, owner, north_customer):
    login(owner).post(
        reverse("customers:consent-record", args=[north_customer.pk]),
        {"channel": "sms", "granted": "yes", "source": "verbal", "note": ""},
    )
    north_customer.refresh_from_db()
    assert north_customer.consent_sms is True


def consent_badge(page, channel):
    """The state shown in the consent panel's row of the channel."""
    row = re.search(
        rf'<th scope="row">{channel}</th>\s*<td><span class="badge [^"]+">([^<]+)</span>', page
    )
    return row and row.group(1)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            {
                "panel": {"Phone": "declined", "E-mail": "withdrawn", "SMS": "not asked"},
                "history": ["phone declined (verbal", "e-mail withdrawn (verbal"],
                "timeline": ["Consent declined: phone", "Consent withdrawn: e-mail"],
            },
        ),
        (
            "de",
            {
                "panel": {"Telefon": "abgelehnt", "E-Mail": "widerrufen", "SMS": "nicht gefragt"},
                "history": ["Telefon abgelehnt (mündlich", "E-Mail widerrufen (mündlich"],
                "timeline": ["Einwilligung abgelehnt: Telefon", "Einwilligung widerrufen: E-Mail"],
            },
        ),
    ],
)
def test_consent_panel_tells_a_first_no_from_a_withdrawal(
    login, owner, north_customer, language, expected
):
    for channel, granted in [("phone", False), ("email", True), ("email", False)]:
        services.record_consent(
            customer=north_customer, channel=channel, granted=granted, source="verbal", by=owner
        )
    page = (
        login(owner)
        .get(north_customer.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
        .content.decode()
    )
    assert {channel: consent_badge(page, channel) for channel in expected["panel"]} == expected[
        "panel"
    ]
    consent_panel, timeline = page.split('id="timeline-heading"')
    assert all(line in consent_panel for line in expected["history"])
    assert all(title in timeline for title in expected["timeline"])


def test_data_export_is_for_managers_and_admins(login, manager, owner, north_customer):
    url = reverse("customers:customer-export", args=[north_customer.pk])
    assert login(owner).get(url).status_code == 403
    response = login(manager).get(url)
    assert response.status_code == 200
    assert json.loads(response.content)["customer"]["last_name"] == "Müller"


def test_erase_needs_the_typed_number(login, admin_user, north_customer):
    client = login(admin_user)
    url = reverse("customers:customer-erase", args=[north_customer.pk])
    client.post(url, {"confirm_number": "nope"})
    north_customer.refresh_from_db()
    assert not north_customer.is_erased
    client.post(url, {"confirm_number": str(north_customer.pk)})
    north_customer.refresh_from_db()
    assert north_customer.is_erased


@pytest.mark.parametrize("persona", ["manager", "owner"])
def test_only_admins_erase_and_merge(request, login, persona, north_customer):
    client = login(request.getfixturevalue(persona))
    assert (
        client.get(reverse("customers:customer-erase", args=[north_customer.pk])).status_code == 403
    )
    assert client.get(reverse("customers:customer-merge")).status_code == 403


def test_admin_merges_two_customers(login, admin_user, north):
    survivor, duplicate = CustomerFactory(branch=north), CustomerFactory(branch=north)
    PurchaseFactory(customer=duplicate)
    url = reverse("customers:customer-merge") + f"?survivor={survivor.pk}&duplicate={duplicate.pk}"
    client = login(admin_user)
    assert duplicate.display_name in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert survivor.purchases.count() == 1
    assert not Customer.objects.filter(pk=duplicate.pk).exists()


def test_picker_finds_customers_as_you_type(login, owner, north_customer, south_customer):
    response = login(owner).get(
        reverse("customers:customer-picker"), {"customer_search": "mül"}, HTTP_HX_REQUEST="true"
    )
    assert list(response.context["customers"]) == [north_customer]
    assert b"<html" not in response.content
