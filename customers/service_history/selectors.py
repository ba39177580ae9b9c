"""Reads of the service history: a purchase's vehicle panel, a customer's vehicles, the
maintenance schedules list. A constant number of queries each, whatever the history's length."""

from dataclasses import dataclass

from django.db.models import Q

from aftersales.translated import in_any_language
from customers.models import DeclinedWork, MaintenanceSchedule, Purchase
from customers.service_history.mileage import Estimate, NextService, estimates, next_services

# The visits the purchase page lists; older ones are in the customer's timeline.
VISITS_SHOWN = 20
# Over the index maintenance_schedule_name (either direction).
SCHEDULE_ORDERINGS = {"name": ("name", "pk"), "-name": ("-name", "-pk")}


@dataclass(frozen=True)
class VehiclePanel:
    """What the purchase page shows about the car the purchase is (or, for a service visit,
    was for)."""

    vehicle: Purchase
    estimate: Estimate
    next_service: NextService | None
    schedule: MaintenanceSchedule | None
    visits: list
    declined_work: list
    # The purchase is a service visit of the vehicle (else the car's own purchase).
    is_visit: bool
    service_overdue: bool


def vehicle_of(purchase):
    """The car's purchase: the purchase itself, or the vehicle a service visit names."""
    if purchase.vehicle_id is not None:
        return purchase.vehicle
    if purchase.is_vehicle:
        return purchase
    return None


def vehicle_panel(purchase, *, today):
    """The panel of a vehicle's purchase or of a service visit, or None for anything else:
    five queries (estimate, next service, schedule, visits, declined work)."""
    vehicle = vehicle_of(purchase)
    if vehicle is None:
        return None
    estimate = estimates([vehicle.pk], today=today)[vehicle.pk]
    next_service = next_services([vehicle.pk], today=today).get(vehicle.pk)
    schedule = None
    if next_service is not None:
        schedule = MaintenanceSchedule.objects.select_related("service_product").get(
            pk=next_service.schedule_id
        )
    visits = list(
        Purchase.objects.filter(vehicle=vehicle)
        .exclude(pk=purchase.pk)
        .select_related("branch")
        .order_by("-purchase_date", "-pk")[:VISITS_SHOWN]
    )
    is_visit = purchase.vehicle_id is not None
    # At a visit: the work declined there; on the car's page: the work still open on it.
    work = DeclinedWork.objects.select_related("done_in", "product")
    work = (
        work.filter(visit=purchase)
        if is_visit
        else work.filter(vehicle=vehicle, status=DeclinedWork.Status.OPEN)
    )
    work = list(work.order_by("-declined_on", "-pk"))
    for item in work:
        # The shown visits the work may have been done in (selectors.later_visits checks it).
        item.recapture_visits = [
            visit
            for visit in visits
            if visit.purchase_date >= item.declined_on and visit.pk != item.visit_id
        ]
    return VehiclePanel(
        vehicle=vehicle,
        estimate=estimate,
        next_service=next_service,
        schedule=schedule,
        visits=visits,
        declined_work=work,
        is_visit=is_visit,
        service_overdue=next_service is not None and next_service.next_date < today,
    )


def later_visits(item):
    """The visits of the declined work's vehicle from its day on: where it may have been done."""
    return Purchase.objects.filter(
        vehicle_id=item.vehicle_id, purchase_date__gte=item.declined_on
    ).exclude(pk=item.visit_id)


@dataclass(frozen=True)
class OwnedVehicle:
    purchase: Purchase
    estimate: Estimate


def customer_vehicles(customer, *, today):
    """The customer's cars with their estimated mileage, from the purchases the customer page
    has prefetched (with their main category): one query for all estimates."""
    cars = [
        purchase
        for purchase in customer.purchases.all()
        if purchase.is_vehicle and not purchase.is_cancelled
    ]
    found = estimates([car.pk for car in cars], today=today)
    return [OwnedVehicle(car, found[car.pk]) for car in cars]


def maintenance_schedules(*, search="", kind="", active=None, ordering="name"):
    """The schedules list: by name, model or category; `kind` "product" or "category"."""
    schedules = MaintenanceSchedule.objects.select_related("product", "category", "service_product")
    if search:
        schedules = schedules.filter(
            Q(name__icontains=search)
            | in_any_language("product__name", search)
            | Q(product__sku__icontains=search)
            | in_any_language("category__name", search)
        )
    if kind == "product":
        schedules = schedules.filter(product__isnull=False)
    elif kind == "category":
        schedules = schedules.filter(category__isnull=False)
    if active is not None:
        schedules = schedules.filter(is_active=active)
    return schedules.order_by(*SCHEDULE_ORDERINGS.get(ordering, SCHEDULE_ORDERINGS["name"]))
