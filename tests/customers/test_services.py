from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.errors import DomainError
from customers import selectors, services
from customers.models import Channel, ConsentRecord, Customer, InvolvementLevel, Purchase
from customers.signals import purchase_cancelled, purchase_changed, purchase_logged
from tests.customers.factories import (
    CustomerFactory,
    ProductCategoryFactory,
    ProductFactory,
    PurchaseFactory,
)

TODAY = timezone.localdate


@pytest.fixture
def car(db):
    category = ProductCategoryFactory(
        code="new-cars", involvement=InvolvementLevel.HIGH, default_warranty_months=24
    )
    return ProductFactory(name="Golf", category=category, list_price=Decimal("30000"))


@pytest.fixture
def tyres(db):
    category = ProductCategoryFactory(
        code="tyres", involvement=InvolvementLevel.LOW, default_warranty_months=0
    )
    return ProductFactory(name="Winter tyres", category=category, list_price=Decimal("800"))


@pytest.fixture
def received():
    """Collects what the customers app announces, like a higher app's receiver would."""
    events = []

    def receiver(signal, **kwargs):
        events.append((signal, kwargs))

    for signal in (purchase_logged, purchase_changed, purchase_cancelled):
        signal.connect(receiver)
    yield events
    for signal in (purchase_logged, purchase_changed, purchase_cancelled):
        signal.disconnect(receiver)


def new_customer(owner, north, **fields):
    defaults = {"first_name": "Jana", "last_name": "Müller", "email": "jana@example.com"}
    return services.create_customer(by=owner, branch=north, **{**defaults, **fields})


class TestCreateCustomer:
    def test_creates_with_consent_answers(self, owner, north):
        customer = new_customer(
            owner,
            north,
            consents=[("email", True, "verbal"), ("phone", False, "verbal")],
        )
        assert customer.consent_email is True
        assert customer.consent_phone is False
        assert customer.consents.count() == 2
        assert customer.created_by == owner
        assert "muller" in customer.search_text

    def test_needs_a_name_and_a_way_to_reach(self, owner, north):
        with pytest.raises(DomainError) as error:
            new_customer(owner, north, last_name="")
        assert error.value.field == "last_name"
        with pytest.raises(DomainError) as error:
            new_customer(owner, north, email="")
        assert error.value.field == "email"

    def test_company_needs_a_company_name(self, owner, north):
        with pytest.raises(DomainError) as error:
            new_customer(owner, north, kind=Customer.Kind.COMPANY)
        assert error.value.field == "company_name"

    def test_cannot_create_in_a_branch_one_does_not_work_in(self, outsider, north):
        with pytest.raises(DomainError):
            new_customer(outsider, north)
        assert not Customer.objects.exists()

    @pytest.mark.parametrize(
        "fields",
        [
            {"email": "JANA@example.com", "last_name": "Other"},
            {"email": "", "phone": "+49 (89) 123-456", "last_name": "Other"},
            {"email": "", "phone": "0171", "last_name": "Mueller", "postcode": "80331"},
        ],
        ids=["same e-mail", "same phone", "similar name same postcode"],
    )
    def test_duplicates_are_reported(self, owner, north, fields):
        existing = new_customer(owner, north, phone="4989123456", postcode="80331")
        with pytest.raises(services.DuplicateCustomer) as duplicate:
            new_customer(owner, north, **fields)
        assert duplicate.value.candidates == [existing]
        assert Customer.objects.count() == 1

    def test_different_people_are_not_duplicates(self, owner, north):
        new_customer(owner, north, postcode="80331")
        other = new_customer(
            owner, north, first_name="Paul", last_name="Schneider", email="p@example.com"
        )
        assert other.pk

    def test_a_confirmed_new_customer_is_created_despite_a_match(self, owner, north):
        new_customer(owner, north)
        new_customer(owner, north, confirmed_new=True)
        assert Customer.objects.count() == 2

    def test_duplicates_in_other_branches_are_not_shown(self, owner, outsider, north, south):
        new_customer(outsider, south)
        assert new_customer(owner, north).pk


class TestConsent:
    def test_history_is_kept_and_current_state_follows_the_latest(self, owner, north):
        customer = new_customer(owner, north)
        services.record_consent(
            customer=customer, channel="email", granted=True, source="form", by=owner
        )
        services.record_consent(
            customer=customer, channel="email", granted=False, source="written", by=owner
        )
        customer.refresh_from_db()
        assert customer.consent_email is False
        assert customer.consents.filter(channel="email").count() == 2
        current = selectors.current_consent(customer)
        assert current["email"].source == ConsentRecord.Source.WRITTEN
        assert current["sms"] is None

    def test_a_backdated_record_does_not_override_a_newer_one(self, owner, north):
        customer = new_customer(owner, north)
        services.record_consent(
            customer=customer, channel="phone", granted=True, source="verbal", by=owner
        )
        services.record_consent(
            customer=customer,
            channel="phone",
            granted=False,
            source="written",
            by=owner,
            at=timezone.now() - timedelta(days=30),
        )
        customer.refresh_from_db()
        assert customer.consent_phone is True

    def test_a_first_no_is_declined_and_a_no_after_a_yes_withdrawn(self, owner, north):
        customer = new_customer(
            owner, north, consents=[("email", True, "form"), ("phone", False, "verbal")]
        )
        services.record_consent(
            customer=customer, channel="email", granted=False, source="written", by=owner
        )
        history = selectors.consent_history(customer.consents.all())
        states = selectors.consent_states(history)
        assert states["phone"].state == ConsentRecord.State.DECLINED
        assert states["email"].state == ConsentRecord.State.WITHDRAWN
        assert states["email"].record.source == ConsentRecord.Source.WRITTEN
        assert states["sms"].state == ConsentRecord.State.NOT_ASKED
        assert states["sms"].record is None

    def test_each_record_has_the_state_it_left_by_when_it_was_given(self, owner, north):
        customer = new_customer(owner, north)
        days_ago = [60, 30, 5]
        for days, granted in zip(days_ago, [False, True, False], strict=True):
            services.record_consent(
                customer=customer,
                channel="letter",
                granted=granted,
                source="written",
                by=owner,
                at=timezone.now() - timedelta(days=days),
            )
        # Entered out of order: an older "yes" found in the files turns the later "no" into a
        # withdrawal.
        services.record_consent(
            customer=customer,
            channel="sms",
            granted=False,
            source="verbal",
            by=owner,
            at=timezone.now() - timedelta(days=1),
        )
        services.record_consent(
            customer=customer,
            channel="sms",
            granted=True,
            source="written",
            by=owner,
            at=timezone.now() - timedelta(days=90),
        )
        history = selectors.consent_history(customer.consents.all())
        assert [(entry.record.channel, entry.state) for entry in history] == [
            ("sms", "withdrawn"),
            ("letter", "withdrawn"),
            ("letter", "granted"),
            ("letter", "declined"),
            ("sms", "granted"),
        ]

    def test_current_consent_is_one_query(self, owner, north, django_assert_num_queries):
        customer = new_customer(owner, north, consents=[("email", True, "form")])
        with django_assert_num_queries(1):
            selectors.current_consent(customer)


class TestLogPurchase:
    def test_logs_lines_total_warranty_and_announces(self, owner, north, car, tyres, received):
        customer = new_customer(owner, north)
        handover = TODAY() - timedelta(days=2)
        purchase = services.log_purchase(
            by=owner,
            customer=customer,
            branch=north,
            salesperson=owner,
            purchase_date=TODAY() - timedelta(days=10),
            handover_date=handover,
            identifier="WVWZZZ1JZXW000001",
            lines=[(car, 1, Decimal("28500")), (tyres, 2, Decimal("400"))],
        )
        assert purchase.total == Decimal("29300")
        assert purchase.main_category == car.category
        assert purchase.warranty_end == handover.replace(year=handover.year + 2)
        assert purchase.status == Purchase.Status.HANDED_OVER
        assert purchase.lines.count() == 2
        assert received == [(purchase_logged, {"sender": Purchase, "purchase": purchase})]
        customer.refresh_from_db()
        assert "wvwzzz1jzxw000001" in customer.search_text

    def test_without_handover_it_is_ordered(self, owner, north, car):
        purchase = services.log_purchase(
            by=owner,
            customer=new_customer(owner, north),
            branch=north,
            salesperson=owner,
            purchase_date=TODAY(),
            lines=[(car, 1, car.list_price)],
        )
        assert purchase.status == Purchase.Status.ORDERED
        assert purchase.warranty_end is None

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"lines": []}, "lines"),
            ({"handover_date": TODAY() - timedelta(days=20)}, "handover_date"),
            ({"purchase_date": TODAY() + timedelta(days=1)}, "purchase_date"),
        ],
    )
    def test_refuses_bad_input(self, owner, north, car, received, changes, field):
        arguments = {
            "by": owner,
            "customer": new_customer(owner, north),
            "branch": north,
            "salesperson": owner,
            "purchase_date": TODAY() - timedelta(days=10),
            "lines": [(car, 1, car.list_price)],
        }
        with pytest.raises(DomainError) as error:
            services.log_purchase(**{**arguments, **changes})
        assert error.value.field == field
        assert not Purchase.objects.exists()
        assert received == []

    def test_refuses_an_inactive_product(self, owner, north, car):
        car.is_active = False
        car.save()
        with pytest.raises(DomainError):
            services.log_purchase(
                by=owner,
                customer=new_customer(owner, north),
                branch=north,
                salesperson=owner,
                purchase_date=TODAY(),
                lines=[(car, 1, car.list_price)],
            )

    def test_outsider_cannot_log_for_another_branch(self, owner, outsider, north, car):
        customer = new_customer(owner, north)
        with pytest.raises(DomainError):
            services.log_purchase(
                by=outsider,
                customer=customer,
                branch=north,
                salesperson=outsider,
                purchase_date=TODAY(),
                lines=[(car, 1, car.list_price)],
            )


class TestChangeAndCancel:
    @pytest.fixture
    def purchase(self, owner, north, car):
        return services.log_purchase(
            by=owner,
            customer=new_customer(owner, north),
            branch=north,
            salesperson=owner,
            purchase_date=TODAY() - timedelta(days=10),
            lines=[(car, 1, car.list_price)],
        )

    def test_new_handover_date_moves_default_warranty_and_announces(
        self, owner, purchase, received
    ):
        handover = TODAY() - timedelta(days=1)
        changed = services.change_purchase(purchase=purchase, by=owner, handover_date=handover)
        assert changed.status == Purchase.Status.HANDED_OVER
        assert changed.warranty_end == handover.replace(year=handover.year + 2)
        assert received == [
            (
                purchase_changed,
                {"sender": Purchase, "purchase": changed, "previous_handover_date": None},
            )
        ]

    def test_an_edited_warranty_end_is_kept(self, owner, purchase):
        custom_end = TODAY() + timedelta(days=900)
        services.change_purchase(
            purchase=purchase,
            by=owner,
            handover_date=TODAY() - timedelta(days=1),
            warranty_end=custom_end,
        )
        changed = services.change_purchase(
            purchase=purchase, by=owner, handover_date=TODAY() - timedelta(days=2)
        )
        assert changed.warranty_end == custom_end

    def test_cancel_needs_a_reason_and_announces_once(self, owner, purchase, received):
        with pytest.raises(DomainError):
            services.cancel_purchase(purchase=purchase, by=owner, reason=" ")
        cancelled = services.cancel_purchase(purchase=purchase, by=owner, reason="Financing")
        assert cancelled.status == Purchase.Status.CANCELLED
        with pytest.raises(DomainError):
            services.cancel_purchase(purchase=purchase, by=owner, reason="Again")
        with pytest.raises(DomainError):
            services.change_purchase(purchase=purchase, by=owner, handover_date=TODAY())
        assert [signal for signal, _kwargs in received] == [purchase_cancelled]

    def test_history_records_who_changed_what(self, owner, purchase):
        services.change_purchase(purchase=purchase, by=owner, handover_date=TODAY())
        latest = purchase.history.first()
        assert latest.handover_date == TODAY()


class TestMerge:
    def test_purchases_consent_and_details_move_to_the_survivor(self, admin_user, north):
        survivor = CustomerFactory(branch=north, phone="", email="keep@example.com")
        duplicate = CustomerFactory(branch=north, phone="0171 555")
        PurchaseFactory(customer=duplicate)
        services.record_consent(
            customer=duplicate, channel="sms", granted=True, source="form", by=admin_user
        )
        merged = services.merge_customers(survivor=survivor, duplicate=duplicate, by=admin_user)
        assert not Customer.objects.filter(pk=duplicate.pk).exists()
        assert merged.purchases.count() == 1
        assert merged.consents.count() == 1
        assert merged.consent_sms is True
        assert merged.phone == "0171 555"
        assert merged.email == "keep@example.com"
        assert "Merged customer" in merged.history.first().history_change_reason

    def test_only_administrators_merge(self, manager, north):
        first, second = CustomerFactory(branch=north), CustomerFactory(branch=north)
        with pytest.raises(DomainError):
            services.merge_customers(survivor=first, duplicate=second, by=manager)


class TestErase:
    def test_personal_data_goes_purchases_and_consent_proof_stay(self, admin_user, north):
        customer = CustomerFactory(branch=north, notes="Prefers mornings")
        PurchaseFactory(customer=customer, identifier="WVW123")
        services.record_consent(
            customer=customer, channel="email", granted=True, source="form", by=admin_user
        )
        erased = services.erase_customer(customer=customer, by=admin_user)
        erased.refresh_from_db()
        assert erased.is_erased
        assert erased.erased_by == admin_user
        assert erased.email == erased.phone == erased.first_name == erased.notes == ""
        assert erased.consent_email is False
        assert erased.consents.count() == 1
        purchase = erased.purchases.get()
        assert purchase.identifier == ""
        assert not Customer.history.filter(id=customer.pk, email__contains="@").exists()

    def test_is_refused_without_permission_and_twice(self, admin_user, manager, north):
        customer = CustomerFactory(branch=north)
        with pytest.raises(DomainError):
            services.erase_customer(customer=customer, by=manager)
        services.erase_customer(customer=customer, by=admin_user)
        with pytest.raises(DomainError):
            services.erase_customer(customer=customer, by=admin_user)

    def test_erased_customers_cannot_buy_or_be_edited(self, admin_user, north, car):
        customer = services.erase_customer(customer=CustomerFactory(branch=north), by=admin_user)
        with pytest.raises(DomainError):
            services.update_customer(customer=customer, by=admin_user, first_name="X")
        with pytest.raises(DomainError):
            services.log_purchase(
                by=admin_user,
                customer=customer,
                branch=north,
                salesperson=None,
                purchase_date=TODAY(),
                lines=[(car, 1, car.list_price)],
            )


def test_data_export_holds_profile_consent_and_purchases(admin_user, north):
    customer = CustomerFactory(branch=north, email="export@example.com")
    PurchaseFactory(customer=customer)
    services.record_consent(
        customer=customer, channel=Channel.LETTER, granted=True, source="written", by=admin_user
    )
    data = selectors.customer_data_export(customer)
    assert data["customer"]["email"] == "export@example.com"
    assert data["records"]["customers.consentrecord"][0]["channel"] == "letter"
    assert len(data["records"]["customers.purchase"]) == 1


class TestSearch:
    @pytest.mark.parametrize(
        "term", ["müller", "Mueller", "MULLER", "jana mü", "jana@exa", "example.com", "0171 23"]
    )
    def test_finds_despite_accents_and_spelling(self, owner, north, term):
        customer = new_customer(owner, north, phone="0171 234567")
        found = selectors.customer_list(owner, search=term)
        assert list(found) == [customer]

    def test_finds_by_vehicle_identifier(self, owner, north, car):
        customer = new_customer(owner, north)
        services.log_purchase(
            by=owner,
            customer=customer,
            branch=north,
            salesperson=owner,
            purchase_date=TODAY(),
            identifier="WVWZZZ1JZXW123456",
            lines=[(car, 1, car.list_price)],
        )
        assert list(selectors.customer_picker(owner, "wvwzzz1jz")) == [customer]

    def test_list_is_scoped(self, owner, outsider, north):
        customer = new_customer(owner, north)
        assert list(selectors.customer_list(owner)) == [customer]
        assert not selectors.customer_list(outsider).exists()


class TestLogPurchaseAtDesk:
    def arguments(self, owner, north, car, **changes):
        return {
            "by": owner,
            "customer": None,
            "new_customer": {"first_name": "Jana", "last_name": "Müller", "email": "j@example.com"},
            "consents": [("email", True, "verbal")],
            "branch": north,
            "salesperson": owner,
            "purchase_date": TODAY(),
            "lines": [(car, 1, car.list_price)],
            **changes,
        }

    def test_creates_the_new_customer_with_consent_and_the_purchase(self, owner, north, car):
        purchase = services.log_purchase_at_desk(**self.arguments(owner, north, car))
        assert purchase.customer.last_name == "Müller"
        assert purchase.customer.consent_email is True

    def test_a_refused_purchase_leaves_no_customer_behind(self, owner, north, car):
        future = TODAY() + timedelta(days=3)
        with pytest.raises(DomainError):
            services.log_purchase_at_desk(**self.arguments(owner, north, car, purchase_date=future))
        assert not Customer.objects.exists()

    def test_an_existing_customer_records_only_changed_consent(self, owner, north, car):
        customer = new_customer(owner, north, consents=[("email", True, "form")])
        services.log_purchase_at_desk(
            **self.arguments(
                owner,
                north,
                car,
                customer=customer,
                new_customer=None,
                consents=[("email", True, "verbal"), ("sms", True, "verbal")],
            )
        )
        assert list(customer.consents.values_list("channel", flat=True).order_by("pk")) == [
            "email",
            "sms",
        ]
