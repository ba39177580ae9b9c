"""The import's service-history columns: a visit's vehicle (by the car's identifier) and its
odometer reading; files without them stay valid."""

from datetime import date
from decimal import Decimal

import pytest

from customers.importing import ImportRejected, import_purchases
from customers.models import DeclinedWork, InvolvementLevel, Purchase
from tests.customers.factories import (
    CustomerFactory,
    ProductCategoryFactory,
    ProductFactory,
    PurchaseFactory,
)
from tests.customers.test_import import HEADER, csv_file, row

# The import tests' rows, with the two new columns.
SERVICE_HEADER = [*HEADER, "vehicle", "odometer_km"]
VIN = "WVWZZZ1JZXW000001"


@pytest.fixture
def car(db):
    category = ProductCategoryFactory(
        code="cars", involvement=InvolvementLevel.HIGH, yearly_distance_km=15000
    )
    return ProductFactory(sku="CAR-1", category=category, list_price=Decimal("25990.00"))


@pytest.fixture
def inspection(db):
    category = ProductCategoryFactory(code="workshop", involvement=InvolvementLevel.LOW)
    return ProductFactory(sku="INSP-1", category=category, list_price=Decimal("289.00"))


def visit(**values):
    """An inspection of Erika Mustermann's car, a year after she bought it."""
    return (
        row(
            purchase_ref="W-1",
            purchase_date="10.03.2025",
            handover_date="10.03.2025",
            identifier="",
            product_sku="INSP-1",
            unit_price="289,00",
            vehicle=VIN,
            odometer_km="18.250",
        )
        | values
    )


def service_file(*rows):
    return csv_file(*rows, header=SERVICE_HEADER)


def rejected(data, by):
    with pytest.raises(ImportRejected) as error:
        import_purchases(data=data, by=by)
    return [(item.row, item.column, item.message) for item in error.value.result.errors]


def test_a_visit_of_a_car_bought_in_the_same_file(north, manager, car, inspection):
    import_purchases(data=service_file(row(), visit()), by=manager)

    bought = Purchase.objects.get(external_ref="A-1")
    serviced = Purchase.objects.get(external_ref="W-1")
    assert (serviced.vehicle, serviced.odometer_km) == (bought, 18250)
    assert bought.vehicle is None


def test_a_visit_of_a_car_in_the_database(north, manager, car, inspection):
    import_purchases(data=service_file(row()), by=manager)
    bought = Purchase.objects.get(external_ref="A-1")

    # Another file later: only the visit, the identifier in another case.
    import_purchases(data=service_file(visit(vehicle=VIN.lower(), odometer_km="18250")), by=manager)

    assert Purchase.objects.get(external_ref="W-1").vehicle == bought


def test_the_latest_car_before_the_visit_is_taken(north, manager, car, inspection):
    customer = CustomerFactory(branch=north, external_ref="K-1")
    for bought_on in (date(2019, 5, 1), date(2024, 3, 1), date(2025, 6, 1)):
        PurchaseFactory(
            customer=customer,
            purchase_date=bought_on,
            handover_date=bought_on,
            identifier=VIN,
            main_category=car.category,
        )
    import_purchases(data=service_file(visit()), by=manager)

    assert Purchase.objects.get(external_ref="W-1").vehicle.purchase_date == date(2024, 3, 1)


def test_an_odometer_reading_on_a_used_cars_purchase(north, manager, car):
    import_purchases(data=service_file(row(odometer_km="42 000")), by=manager)

    assert Purchase.objects.get().odometer_km == 42000


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"vehicle": "UNKNOWN-VIN"}, "vehicle", "bought no vehicle with the identifier"),
        ({"purchase_date": "01.02.2024"}, "vehicle", "on or before the purchase date"),
        ({"odometer_km": "18,5"}, "odometer_km", "not a whole number of kilometres"),
        ({"odometer_km": "-5"}, "odometer_km", "not a whole number of kilometres"),
        ({"odometer_km": "9.000.000"}, "odometer_km", "too large"),
        ({"vehicle": "", "odometer_km": "1000"}, "odometer_km", "needs the vehicle"),
    ],
)
def test_bad_service_cells(north, manager, car, inspection, values, column, message):
    errors = rejected(service_file(row(), visit(**values)), manager)

    assert [(number, name) for number, name, _text in errors] == [(3, column)]
    assert message in errors[0][2]
    assert not Purchase.objects.exists()


def test_another_customers_car_is_not_found(north, manager, car, inspection):
    other = CustomerFactory(branch=north, external_ref="K-9")
    PurchaseFactory(customer=other, identifier=VIN, main_category=car.category)

    errors = rejected(service_file(visit()), manager)

    assert [(number, name) for number, name, _text in errors] == [(2, "vehicle")]


def test_a_visit_is_no_vehicle_of_another_visit(north, manager, car, inspection):
    # The first visit also carries the VIN as its own identifier, as workshop orders often do.
    errors = rejected(
        service_file(
            visit(identifier=VIN),
            visit(purchase_ref="W-2", purchase_date="2025-09-01", handover_date="2025-09-01"),
        ),
        manager,
    )

    assert {name for _number, name, _text in errors} == {"vehicle"}


def test_an_imported_visit_closes_the_declined_work_it_did(north, manager, car, inspection):
    import_purchases(data=service_file(row()), by=manager)
    bought = Purchase.objects.get(external_ref="A-1")
    earlier = PurchaseFactory(
        customer=bought.customer,
        vehicle=bought,
        purchase_date=date(2024, 9, 1),
        handover_date=date(2024, 9, 1),
    )
    work = DeclinedWork.objects.create(
        visit=earlier,
        vehicle=bought,
        customer=bought.customer,
        branch=north,
        product=inspection,
        description="Brake pads",
        urgency="soon",
        declined_on=date(2024, 9, 1),
    )

    import_purchases(data=service_file(visit()), by=manager)

    work.refresh_from_db()
    assert work.status == DeclinedWork.Status.DONE
    assert work.done_in == Purchase.objects.get(external_ref="W-1")


def test_files_without_the_new_columns_stay_valid(north, manager, car):
    result = import_purchases(data=csv_file(row()), by=manager)

    assert result.applied
    assert Purchase.objects.get().vehicle is None
