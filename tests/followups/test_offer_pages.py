"""Cross-selling in the browser: offer rules (administrators), the offer list and an offer's page
with the pipeline (present, accept logging the purchase, decline, reassign), the inbox section."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from customers.models import Purchase
from followups.models import ContactChannel, FollowUp, OfferRule, OfferState
from tests.aftersales.factories import UserFactory
from tests.customers.factories import ProductFactory
from tests.followups.factories import PlaybookFactory, PlaybookStepFactory
from tests.followups.test_offer_generation import OCTOBER_MORNING, car_buyer, run
from tests.quality.factories import ComplaintFactory


def rule_data(cars, winter_tyres, **changes):
    data = {
        "name_en": "Summer tyres",
        "is_active": "on",
        "category": cars.pk,
        "min_age_days": "30",
        "season_start_month": "3",
        "season_start_day": "15",
        "season_end_month": "4",
        "season_end_day": "30",
        "product": winter_tyres.pk,
        "channels": ["email", "phone"],
        "priority": "60",
        "script_en": "Spring is coming.",
        "valid_days": "45",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- offer rules ---


@pytest.mark.parametrize("persona", ["manager", "owner", "quality_manager", "shopper"])
def test_rule_pages_are_for_administrators(login, request, winter_rule, persona):
    client = login(request.getfixturevalue(persona))
    for url in (
        reverse("followups:offer-rule-list"),
        reverse("followups:offer-rule-create"),
        winter_rule.get_absolute_url(),
    ):
        assert client.get(url).status_code == 403
    response = client.post(reverse("followups:offer-rule-toggle", args=[winter_rule.pk]))
    assert response.status_code == 403


def test_rule_list_searches_filters_and_sorts(login, admin_user, winter_rule, cars, winter_tyres):
    OfferRule.objects.create(
        name="Accident cover",
        category=cars,
        product=ProductFactory(name="Accident insurance"),
        is_active=False,
        priority=10,
    )
    client = login(admin_user)
    url = reverse("followups:offer-rule-list")
    page = client.get(url, {"q": "winter"}).content.decode()
    assert "Winter tyres" in page and "Accident cover" not in page
    page = client.get(url, {"active": "no"}).content.decode()
    assert "Accident cover" in page and ">Winter tyres<" not in page
    names = [rule.name for rule in client.get(url, {"sort": "priority"}).context["page"]]
    assert names == ["Accident cover", "Winter tyres"]
    assert "No offer rules match" in client.get(url, {"q": "nothing"}).content.decode()


def test_an_administrator_creates_and_edits_a_rule(login, admin_user, cars, winter_tyres):
    client = login(admin_user)
    response = client.post(reverse("followups:offer-rule-create"), rule_data(cars, winter_tyres))
    assert response.status_code == 302
    rule = OfferRule.objects.get(name="Summer tyres")
    assert (rule.season_start_month, rule.season_end_day) == (3, 30)
    assert rule.channels == ["email", "phone"]
    response = client.post(
        rule.get_absolute_url(),
        rule_data(cars, winter_tyres, name_en="Summer tyres 2", channels=[]),
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.name == "Summer tyres 2" and rule.channels == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"season_end_day": None}, "__all__", "A season needs its first and its last day."),
        ({"season_start_month": "2", "season_start_day": "30"}, "season_start_day", "does not"),
        ({"min_age_days": "100", "max_age_days": "10"}, "max_age_days", "below the minimum"),
        ({"not_bought_months": "6"}, "not_bought_months", "together"),
        ({"price": "10", "discount_percent": "5"}, "discount_percent", "not both"),
        ({"category": None}, "category", "Choose the product category"),
        ({"discount_percent": "120"}, "discount_percent", "100"),
    ],
)
def test_rule_validation_says_what_is_wrong(
    login,
    admin_user,
    cars,
    winter_tyres,
    changes,
    field,
    message,
):
    client = login(admin_user)
    response = client.post(
        reverse("followups:offer-rule-create"), rule_data(cars, winter_tyres, **changes)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert not OfferRule.objects.exists()


def test_a_rule_is_switched_off_and_on(login, admin_user, winter_rule):
    client = login(admin_user)
    url = reverse("followups:offer-rule-toggle", args=[winter_rule.pk])
    response = client.post(url, follow=True)
    winter_rule.refresh_from_db()
    assert not winter_rule.is_active
    assert "switched off" in response.content.decode()
    client.post(url)
    winter_rule.refresh_from_db()
    assert winter_rule.is_active
    assert client.get(url).status_code == 405


# --- offers ---


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner", 200), ("colleague", 200), ("manager", 200), ("outsider", 404)],
)
def test_an_offer_is_seen_in_its_branch_only(login, request, offer, persona, status):
    client = login(request.getfixturevalue(persona))
    assert client.get(offer.get_absolute_url()).status_code == status
    listed = client.get(reverse("followups:offer-list")).context["page"]
    assert (offer in listed) == (status == 200)


def test_quality_managers_and_shoppers_see_no_offers(login, quality_manager, shopper, offer):
    for user in (quality_manager, shopper):
        assert login(user).get(reverse("followups:offer-list")).status_code == 403


def test_offer_list_filters(login, owner, offer, north, cars, winter_rule):
    car_buyer(north, cars, last_name="Zimmer", consent=False)
    run(at=OCTOBER_MORNING + timedelta(days=1))
    client = login(owner)
    url = reverse("followups:offer-list")
    assert len(client.get(url).context["page"]) == 2
    held = client.get(url, {"state": OfferState.HELD_BACK}).context["page"]
    assert [item.customer.last_name for item in held] == ["Zimmer"]
    assert [o.pk for o in client.get(url, {"q": "Wagner"}).context["page"]] == [offer.pk]
    assert [o.pk for o in client.get(url, {"assignee": owner.pk}).context["page"]] == [offer.pk]
    drill = client.get(
        url,
        {
            "event": "held_back",
            "reason": "no_consent",
            "start": "2026-10-01",
            "end": "2026-10-31",
        },
    )
    assert [item.customer.last_name for item in drill.context["page"]] == ["Zimmer"]
    assert "no marketing consent" in drill.content.decode()
    export = client.get(reverse("followups:offer-export"), {"state": "suggested"})
    assert "Wagner" in b"".join(export.streaming_content).decode()


def test_present_then_accept_logs_the_purchase_from_the_offer(
    login,
    owner,
    offer,
    october,
    winter_tyres,
):
    PlaybookStepFactory(
        playbook=PlaybookFactory(category=winter_tyres.category), offset_days=7, title="Tyres ok?"
    )
    client = login(owner)
    response = client.post(
        reverse("followups:offer-present", args=[offer.pk]),
        {"present-channel": ContactChannel.EMAIL},
        follow=True,
    )
    assert "Offer presented." in response.content.decode()
    offer.refresh_from_db()
    assert offer.state == OfferState.PRESENTED and offer.presented_by == owner
    response = client.post(
        reverse("followups:offer-accept", args=[offer.pk]),
        {"accept-value": "499.00", "accept-handover_date": "2026-10-16"},
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.state == OfferState.ACCEPTED
    purchase = offer.accepted_purchase
    assert purchase.total == Decimal("499.00")
    assert purchase.customer == offer.customer and purchase.salesperson == owner
    assert purchase.lines.get().product == offer.rule.product
    assert purchase.handover_date.isoformat() == "2026-10-16"
    # Logged through the customers' service: the purchase starts its own follow-up plan.
    assert Purchase.objects.filter(customer=offer.customer).count() == 2
    followup = FollowUp.objects.get(purchase=purchase)
    assert (followup.title, followup.due_date.isoformat()) == ("Tyres ok?", "2026-10-23")


def test_refused_transitions_are_form_errors(login, owner, offer, october):
    client = login(owner)
    # Not presented yet: the accept form is not offered, and a posted one is refused.
    page = client.get(offer.get_absolute_url())
    assert "accept" not in page.context["forms"]
    response = client.post(reverse("followups:offer-accept", args=[offer.pk]), {})
    assert response.status_code == 200
    assert "Only a presented offer can be accepted." in response.content.decode()
    # A channel the rule does not use.
    response = client.post(
        reverse("followups:offer-present", args=[offer.pk]), {"present-channel": "sms"}
    )
    assert response.context["forms"]["present"].errors["channel"]
    # "Other reason" needs words.
    response = client.post(
        reverse("followups:offer-decline", args=[offer.pk]), {"decline-reason": "other"}
    )
    assert "Say why in a few words." in response.content.decode()
    offer.refresh_from_db()
    assert offer.state == OfferState.SUGGESTED


def test_presenting_to_a_customer_with_an_open_complaint_is_refused(login, owner, offer, october):
    ComplaintFactory(customer=offer.customer)
    response = login(owner).post(
        reverse("followups:offer-present", args=[offer.pk]), {"present-channel": "email"}
    )
    assert response.status_code == 200
    assert "complaint" in response.content.decode()
    offer.refresh_from_db()
    assert offer.state == OfferState.SUGGESTED


def test_decline_with_a_reason(login, owner, offer, october):
    login(owner).post(
        reverse("followups:offer-decline", args=[offer.pk]),
        {"decline-reason": "other", "decline-note": "Has a friend with a tyre shop"},
    )
    offer.refresh_from_db()
    assert offer.state == OfferState.DECLINED
    assert offer.decline_note == "Has a friend with a tyre shop"


def test_only_managers_reassign(login, owner, colleague, manager, offer):
    url = reverse("followups:offer-reassign", args=[offer.pk])
    assert login(owner).post(url, {"reassign-assignee": colleague.pk}).status_code == 403
    login(manager).post(url, {"reassign-assignee": colleague.pk})
    offer.refresh_from_db()
    assert offer.assignee == colleague
    stranger = UserFactory(roles=["sales"], branches=[])
    response = login(manager).post(url, {"reassign-assignee": stranger.pk})
    assert response.context["forms"]["reassign"].errors["assignee"]


def test_outsiders_cannot_act_on_an_offer(login, outsider, offer):
    response = login(outsider).post(
        reverse("followups:offer-present", args=[offer.pk]), {"present-channel": "email"}
    )
    assert response.status_code == 404


# --- the inbox ---


def test_the_inbox_shows_open_offers_with_the_customers_context(login, owner, offer, october):
    ComplaintFactory(customer=offer.customer)
    page = login(owner).get(reverse("followups:inbox"))
    html = page.content.decode()
    assert "My open offers" in html and "Winter tyres" in html
    assert "Ask about the winter." in html
    assert "open complaint" in html
    row = page.context["offers"].rows[0]
    assert row.context.mileage.km_today > 0


def test_the_inbox_offers_take_a_constant_number_of_queries(
    owner,
    north,
    cars,
    winter_rule,
    django_assert_max_num_queries,
):
    from followups.offers.selectors import inbox_offers

    def count_queries(customers):
        for _ in range(customers):
            car_buyer(north, cars, owner=owner)
        run()
        with django_assert_max_num_queries(8) as captured:
            offers = inbox_offers(owner, now=OCTOBER_MORNING)
        return len(captured), offers

    # the user's branches and roles (the scope), the offers, their count (only when the page is
    # full), the last contacts, the satisfaction, the contact policy, the mileage
    small, offers = count_queries(2)
    assert offers.total == 2
    large, offers = count_queries(15)
    assert offers.total == 17 and len(offers.rows) == 10
    assert large <= small + 1
