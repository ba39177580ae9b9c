"""Writes of the service history: declined work recorded and closed, maintenance schedules."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.access import require_branch
from aftersales.errors import DomainError
from customers.models import DeclinedWork, MaintenanceSchedule, Purchase


def _validated(instance):
    try:
        instance.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(
            " ".join(messages), field=None if field == "__all__" else field
        ) from error
    instance.save()
    return instance


def check_vehicle(*, vehicle, customer, purchase_date):
    """A service visit's vehicle: an earlier, not cancelled purchase of the same customer."""
    if vehicle is None:
        return
    if vehicle.customer_id != customer.pk:
        raise DomainError(_("The vehicle belongs to another customer."), field="vehicle")
    if vehicle.is_cancelled:
        raise DomainError(_("The vehicle's purchase was cancelled."), field="vehicle")
    if vehicle.purchase_date > purchase_date:
        raise DomainError(_("The vehicle was bought after this visit."), field="vehicle")
    if vehicle.vehicle_id is not None:
        raise DomainError(_("Choose the purchase of the car, not another visit."), field="vehicle")


def find_vehicle(*, customer, identifier, on):
    """The car a service visit on `on` names by its identifier (VIN, any case): the customer's
    latest purchase of a vehicle category with it, not cancelled, not itself a visit, bought on
    or before that day (the CSV import applies the same rule to a whole file). None without an
    identifier."""
    identifier = identifier.strip()
    if not identifier:
        return None
    if customer is None:
        raise DomainError(
            _("A service visit is for a car the customer bought: choose the customer."),
            field="vehicle",
        )
    vehicle = (
        Purchase.objects.filter(
            customer=customer,
            identifier__iexact=identifier,
            vehicle__isnull=True,
            main_category__yearly_distance_km__isnull=False,
            purchase_date__lte=on,
        )
        .exclude(status=Purchase.Status.CANCELLED)
        .order_by("-purchase_date", "-pk")
        .first()
    )
    if vehicle is None:
        raise DomainError(no_vehicle_message(identifier), field="vehicle")
    return vehicle


def no_vehicle_message(identifier):
    return _(
        "This customer bought no vehicle with the identifier “%(vehicle)s” "
        "on or before the purchase date."
    ) % {"vehicle": identifier}


def close_work_done_in(purchases):
    """Open declined work that a later visit of the same vehicle did after all (a line with the
    work's service product) is done: one UPDATE for any number of visits (the import's too)."""
    ids = [purchase.pk for purchase in purchases if purchase.vehicle_id is not None]
    if not ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE customers_declinedwork w
            SET status = %(done)s, done_in_id = hit.visit_id, closed_on = hit.day
            FROM (
                SELECT DISTINCT ON (w2.id) w2.id AS work_id, s.id AS visit_id,
                    COALESCE(s.handover_date, s.purchase_date) AS day
                FROM customers_declinedwork w2
                JOIN customers_purchase s ON s.vehicle_id = w2.vehicle_id AND s.id = ANY(%(ids)s)
                JOIN customers_purchaseline l
                    ON l.purchase_id = s.id AND l.product_id = w2.product_id
                WHERE w2.status = %(open)s AND s.purchase_date >= w2.declined_on
                ORDER BY w2.id, s.purchase_date, s.id
            ) hit
            WHERE w.id = hit.work_id
            """,
            {"ids": ids, "done": DeclinedWork.Status.DONE, "open": DeclinedWork.Status.OPEN},
        )
        return cursor.rowcount


@transaction.atomic
def record_declined_work(
    *, by, visit, description, urgency, estimated_price=Decimal("0"), product=None, on=None
):
    """Work recommended at the service visit `visit` that the customer declined."""
    require_branch(by, visit.branch_id, message=_("You do not work in this branch."))
    if visit.is_cancelled:
        raise DomainError(_("The visit was cancelled."))
    if not description.strip():
        raise DomainError(_("Say what work was recommended."), field="description")
    item = DeclinedWork(
        visit=visit,
        vehicle_id=visit.vehicle_id,
        customer_id=visit.customer_id,
        branch_id=visit.branch_id,
        product=product,
        description=description.strip(),
        estimated_price=estimated_price or Decimal("0"),
        urgency=urgency,
        declined_on=on or visit.handover_date or visit.purchase_date,
        recorded_by=by,
    )
    return _validated(item)


@transaction.atomic
def close_declined_work(*, by, item, done_in=None):
    """The work is no longer open: done (in the purchase `done_in`) or no longer needed."""
    item = DeclinedWork.objects.select_for_update().get(pk=item.pk)
    require_branch(by, item.branch_id, message=_("You do not work in this branch."))
    if not item.is_open:
        raise DomainError(_("This declined work is already closed."))
    item.status = DeclinedWork.Status.DONE if done_in else DeclinedWork.Status.DISMISSED
    item.done_in = done_in
    item.closed_on = timezone.localdate()
    item.save(update_fields=["status", "done_in", "closed_on"])
    return item


@transaction.atomic
def save_schedule(*, by, schedule=None, **fields):
    if not by.has_perm("customers.change_maintenanceschedule"):
        raise DomainError(_("Only administrators may change maintenance schedules."))
    schedule = schedule or MaintenanceSchedule()
    for name, value in fields.items():
        setattr(schedule, name, value)
    return _validated(schedule)
