from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from customers import selectors
from customers.models import ConsentRecord, Customer, Purchase
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, ProductFactory, PurchaseFactory

TODAY = timezone.localdate


@pytest.fixture
def car(db):
    return ProductFactory(name="Golf", list_price=Decimal("30000.00"))


def purchase_form(north, car, **changes):
    data = {
        "branch": north.pk,
        "salesperson": "",
        "purchase_date": (TODAY() - timedelta(days=3)).isoformat(),
        "handover_date": TODAY().isoformat(),
        "identifier": "WVWZZZ1JZXW000042",
        "warranty_end": "",
        "notes": "",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "20",
        "lines-0-product": car.pk,
        "lines-0-quantity": "1",
        "lines-0-unit_price": "",
        # The browser sends the initial quantity of the empty rows too.
        "lines-1-quantity": "1",
        "lines-2-quantity": "1",
        "new-kind": "person",
        "new-first_name": "Jana",
        "new-last_name": "Müller",
        "new-email": "jana@example.com",
        "new-country": "DE",
        "new-preferred_language": "de",
        "new-preferred_channel": "phone",
        "consent-email": "yes",
        "consent-phone": "no",
        "consent-sms": "",
        "consent-letter": "",
        "consent-source": "verbal",
    }
    return {**data, **changes}


def test_log_a_purchase_for_a_new_customer(login, owner, north, car):
    response = login(owner).post(reverse("customers:purchase-create"), purchase_form(north, car))
    purchase = Purchase.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("customers:purchase-logged", args=[purchase.pk])
    assert purchase.total == Decimal("30000.00")
    assert purchase.customer.last_name == "Müller"
    assert purchase.customer.consent_email is True
    assert purchase.customer.consents.count() == 2


def test_the_purchase_is_confirmed_once(login, owner, north, car):
    client = login(owner)
    page = client.post(
        reverse("customers:purchase-create"), purchase_form(north, car), follow=True
    ).content.decode()
    assert page.count("Purchase logged") == 2  # the page's title and its heading
    assert "Purchase logged." not in page  # no message on top of them


def test_confirmation_page_says_what_happens_next(login, owner, north, car):
    client = login(owner)
    client.post(reverse("customers:purchase-create"), purchase_form(north, car))
    purchase = Purchase.objects.get()
    page = client.get(reverse("customers:purchase-logged", args=[purchase.pk])).content.decode()
    assert "What happens next" in page
    assert "Warranty ends on" in page


def test_duplicate_warning_then_pick_the_existing_customer(login, owner, north, car):
    existing = CustomerFactory(branch=north, email="jana@example.com", last_name="Müller")
    client = login(owner)
    warned = client.post(reverse("customers:purchase-create"), purchase_form(north, car))
    assert warned.status_code == 200
    assert warned.context["candidates"] == [existing]
    assert not Purchase.objects.exists()
    picked = client.post(
        reverse("customers:purchase-create"),
        purchase_form(north, car, use_customer=str(existing.pk)),
    )
    # Choosing the record saves nothing yet: the form comes back for a review.
    assert picked.status_code == 200
    assert not Purchase.objects.exists()
    assert picked.context["selected_customer"] == existing
    assert picked.context["candidates"] == []
    page = picked.content.decode()
    assert "Existing customer selected — review and save." in page
    assert f'name="customer" value="{existing.pk}"' in page
    assert 'value="WVWZZZ1JZXW000042"' in page
    assert "This customer may already exist" not in page
    saved = client.post(
        reverse("customers:purchase-create"),
        purchase_form(north, car, customer=str(existing.pk)),
    )
    assert saved.status_code == 302
    assert Purchase.objects.get().customer == existing
    assert Customer.objects.count() == 1


def test_the_review_after_choosing_a_customer_keeps_what_was_entered_in_german(
    login, owner, north, car
):
    existing = CustomerFactory(branch=north, email="jana@example.com", last_name="Müller")
    picked = login(owner).post(
        reverse("customers:purchase-create"),
        purchase_form(north, car, use_customer=str(existing.pk), notes="Winterreifen bestellt"),
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert not Purchase.objects.exists()
    page = picked.content.decode()
    assert "Bestehenden Kunden übernommen — prüfen und speichern." in page
    assert picked.context["form"]["notes"].value() == "Winterreifen bestellt"
    assert picked.context["lines"].forms[0]["product"].value() == str(car.pk)
    assert picked.context["consent"]["email"].value() == "yes"


def test_log_for_an_existing_customer_updates_changed_consent(login, owner, north, car):
    customer = CustomerFactory(branch=north, consent_email=False)
    login(owner).post(
        reverse("customers:purchase-create"),
        purchase_form(north, car, customer=str(customer.pk)),
    )
    customer.refresh_from_db()
    assert customer.consent_email is True
    assert customer.purchases.count() == 1


def test_a_first_no_at_the_desk_is_recorded_as_declined(login, owner, north, car):
    never_asked = CustomerFactory(branch=north)
    client = login(owner)
    client.post(
        reverse("customers:purchase-create"),
        purchase_form(north, car, customer=str(never_asked.pk)),
    )
    states = selectors.consent_states(selectors.consent_history(never_asked.consents.all()))
    assert states["phone"].state == ConsentRecord.State.DECLINED
    assert states["email"].state == ConsentRecord.State.GRANTED
    assert states["sms"].state == ConsentRecord.State.NOT_ASKED
    # Asked again with the same answers, nothing changes: no new proof.
    client.post(
        reverse("customers:purchase-create"),
        purchase_form(north, car, customer=str(never_asked.pk), identifier="WVWZZZ1JZXW000043"),
    )
    assert never_asked.consents.count() == 2
    assert never_asked.purchases.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lines-0-product": ""}, None),
        (
            {"purchase_date": (TODAY() + timedelta(days=5)).isoformat(), "handover_date": ""},
            "purchase_date",
        ),
        ({"handover_date": (TODAY() - timedelta(days=30)).isoformat()}, "handover_date"),
        ({"new-last_name": ""}, "last_name"),
        ({"lines-0-quantity": "-1"}, None),
        ({"purchase_date": "not a date"}, "purchase_date"),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(login, owner, north, car, changes, field):
    response = login(owner).post(
        reverse("customers:purchase-create"), purchase_form(north, car, **changes)
    )
    assert response.status_code == 200
    assert not Purchase.objects.exists()
    assert not Customer.objects.exists()
    forms = [response.context[name] for name in ("form", "customer_form")]
    errors = {key for form in forms for key in form.errors} | {
        key for line in response.context["lines"] for key in line.errors
    }
    assert errors or response.context["lines"].non_form_errors()
    if field:
        assert field in errors


def test_outsider_cannot_log_in_another_branch(login, outsider, north, car):
    response = login(outsider).post(reverse("customers:purchase-create"), purchase_form(north, car))
    assert response.status_code == 200
    assert "branch" in response.context["form"].errors
    assert not Purchase.objects.exists()


@pytest.mark.parametrize("persona", ["quality_manager", "shopper"])
def test_who_may_not_log_purchases(request, login, persona, north, car):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("customers:purchase-create")).status_code == 403
    assert (
        client.post(reverse("customers:purchase-create"), purchase_form(north, car)).status_code
        == 403
    )


def test_customer_section_swaps_in_the_picked_customer(login, owner, north):
    customer = CustomerFactory(branch=north)
    response = login(owner).get(
        reverse("customers:purchase-customer-section"), {"customer": customer.pk}
    )
    assert f'name="customer" value="{customer.pk}"' in response.content.decode()


def test_purchase_list_is_scoped_and_filtered(login, owner, outsider, north, south):
    north_purchase = PurchaseFactory(customer=CustomerFactory(branch=north))
    PurchaseFactory(customer=CustomerFactory(branch=south))
    cancelled = PurchaseFactory(
        customer=CustomerFactory(branch=north), status=Purchase.Status.CANCELLED
    )
    client = login(owner)
    assert set(client.get(reverse("customers:purchase-list")).context["page"]) == {
        north_purchase,
        cancelled,
    }
    only_cancelled = client.get(reverse("customers:purchase-list"), {"status": "cancelled"})
    assert list(only_cancelled.context["page"]) == [cancelled]
    assert login(outsider).get(north_purchase.get_absolute_url()).status_code == 404


def test_purchase_list_query_count(login, owner, north, django_assert_max_num_queries):
    for _ in range(30):
        PurchaseFactory(customer=CustomerFactory(branch=north))
    client = login(owner)
    # session, user, groups, permissions (2), count, page with customer/branch/salesperson/
    # category joined, category filter options, unread notifications
    with django_assert_max_num_queries(10):
        response = client.get(reverse("customers:purchase-list"))
    assert len(response.context["page"]) == 25


def test_change_handover_date_and_cancel(login, owner, north, car):
    client = login(owner)
    client.post(reverse("customers:purchase-create"), purchase_form(north, car, handover_date=""))
    purchase = Purchase.objects.get()
    client.post(
        reverse("customers:purchase-change", args=[purchase.pk]),
        {"handover_date": TODAY().isoformat(), "warranty_end": "", "identifier": "X1", "notes": ""},
    )
    purchase.refresh_from_db()
    assert purchase.handover_date == TODAY()
    assert purchase.status == Purchase.Status.HANDED_OVER
    refused = client.post(reverse("customers:purchase-cancel", args=[purchase.pk]), {"reason": ""})
    assert refused.status_code == 200
    client.post(
        reverse("customers:purchase-cancel", args=[purchase.pk]), {"reason": "Changed mind"}
    )
    purchase.refresh_from_db()
    assert purchase.is_cancelled


def test_service_staff_may_view_but_not_change_purchases(login, north):
    service_user = UserFactory(username="sven", roles=["service"], branches=[north])
    purchase = PurchaseFactory(customer=CustomerFactory(branch=north))
    client = login(service_user)
    assert client.get(purchase.get_absolute_url()).status_code == 200
    change_url = reverse("customers:purchase-change", args=[purchase.pk])
    assert client.get(change_url).status_code == 403


# Late evening in Berlin (the server's zone) is already the next morning in Tokyo.
BERLIN_EVENING = datetime(2026, 12, 3, 21, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "expected"), [("Europe/Berlin", "2026-12-03"), ("Asia/Tokyo", "2026-12-04")]
)
def test_the_purchase_date_defaults_to_the_branchs_today(login, owner, north, zone, expected):
    north.time_zone = zone
    north.save()
    with time_machine.travel(BERLIN_EVENING, tick=False):
        page = login(owner).get(reverse("customers:purchase-create"))
    assert page.context["form"]["purchase_date"].value() == date.fromisoformat(expected)
    assert f'name="purchase_date" value="{expected}"' in page.content.decode()


def test_the_branchs_today_is_not_in_the_future(login, owner, north, car):
    north.time_zone = "Asia/Tokyo"
    north.save()
    form = purchase_form(north, car, purchase_date="2026-12-04", handover_date="")
    with time_machine.travel(BERLIN_EVENING, tick=False):
        response = login(owner).post(reverse("customers:purchase-create"), form)
    assert response.status_code == 302
    assert Purchase.objects.get().purchase_date == date(2026, 12, 4)
