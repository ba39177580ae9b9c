"""The demo service history on top of `seed_demo`'s purchases:

    manage.py seed_service_history

- the car categories get their default yearly distance (15,000 km), so that they count as
  vehicles;
- maintenance schedules: a fallback per car category and a few models of their own (the
  electric ID.4 later, the diesel 320d by distance);
- the workshop and tyre purchases of car owners become service visits of their latest car
  (bought before the visit), with an odometer reading from a pace per car between 8,000 and
  30,000 km a year; used cars get their reading at handover;
- a third of the workshop visits record work the customer declined (front brake pads, the air
  conditioning, the main inspection), closed where a later visit did it.

Set-based (a few UPDATE and INSERT ... SELECT statements), so it takes the same few statements
for 300 demo customers as for a million bulk ones, and deterministic (the pace and the choices
come from hashes of the ids). Running it again changes nothing: only visits without a car are
linked, only visits without declined work get some, existing schedules are kept.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from aftersales.seeding import demo_administrator
from customers import services
from customers.management import demo_data
from customers.models import MaintenanceSchedule, Product, ProductCategory, Purchase
from customers.service_history import services as service_history

# category or product SKU: (name, service SKU, every km, every months, first km, first months)
SCHEDULES = {
    "new-cars": ("New cars: inspection", "SV-INSPECTION", 30000, 24, 15000, 12),
    "used-cars": ("Used cars: inspection", "SV-INSPECTION", 20000, 12, None, None),
    "NC-VW-ID4": ("VW ID.4: inspection", "SV-INSPECTION", 40000, 24, None, None),
    "NC-BMW-320D": ("BMW 320d: oil service", "SV-OIL", 25000, 24, None, None),
}
VISIT_CATEGORIES = ("services", "tyres")

# Used cars come with 20,000 to 100,000 km on the clock.
USED_CAR_READINGS = f"""
    UPDATE customers_purchase v SET odometer_km = 20000 + abs(hashtext('km' || v.id)) % 80000
    FROM customers_productcategory c
    WHERE c.id = v.main_category_id AND c.code = 'used-cars' AND v.odometer_km IS NULL
        AND v.vehicle_id IS NULL AND v.status <> '{Purchase.Status.CANCELLED}'
"""  # noqa: S608  # nosec B608 (constants)

# A workshop or tyre purchase is a visit of the customer's latest car handed over before it; the
# reading is the car's first reading plus its pace times the days since the handover.
LINK_VISITS = f"""
    UPDATE customers_purchase s SET vehicle_id = link.car_id, odometer_km = link.km
    FROM (
        SELECT DISTINCT ON (visit.id) visit.id AS visit_id, car.id AS car_id,
            COALESCE(car.odometer_km, 0) + round((visit.purchase_date - car.handover_date)
                * (8000 + abs(hashtext('pace' || car.id)) %% 22000) / 365.0) AS km
        FROM customers_purchase visit
        JOIN customers_productcategory visit_category ON visit_category.id = visit.main_category_id
            AND visit_category.code = ANY(%(visits)s)
        JOIN customers_purchase car ON car.customer_id = visit.customer_id
            AND car.vehicle_id IS NULL AND car.status <> '{Purchase.Status.CANCELLED}'
            AND car.handover_date <= visit.purchase_date
        JOIN customers_productcategory car_category ON car_category.id = car.main_category_id
            AND car_category.yearly_distance_km IS NOT NULL
        WHERE visit.vehicle_id IS NULL AND visit.status <> '{Purchase.Status.CANCELLED}'
        ORDER BY visit.id, car.handover_date DESC, car.id DESC
    ) link
    WHERE s.id = link.visit_id
"""  # noqa: S608  # nosec B608 (constants)

# (service SKU, what the workshop wrote, urgency); a visit's hash picks one.
DECLINED = [
    ("SV-BRAKES-FRONT", "Front brake pads worn to 3 mm", "safety"),
    ("SV-BRAKES-FRONT", "Front brake discs scored, pads nearly worn", "safety"),
    ("SV-AIRCON", "Air conditioning weak: service recommended", "later"),
    ("SV-HU-AU", "Main inspection (HU/AU) due next month", "soon"),
]

DECLINE_AT_VISITS = """
    INSERT INTO customers_declinedwork (visit_id, vehicle_id, customer_id, branch_id, product_id,
        description, estimated_price, urgency, declined_on, status, created_at)
    SELECT s.id, s.vehicle_id, s.customer_id, s.branch_id, choice.product_id, choice.description,
        choice.price, choice.urgency, COALESCE(s.handover_date, s.purchase_date), 'open', now()
    FROM customers_purchase s
    JOIN customers_productcategory c ON c.id = s.main_category_id AND c.code = 'services'
    JOIN unnest(%(products)s::bigint[], %(descriptions)s::text[], %(prices)s::numeric[],
            %(urgencies)s::text[]) WITH ORDINALITY
        AS choice(product_id, description, price, urgency, number)
        ON choice.number = 1 + abs(hashtext('work' || s.id)) %% %(choices)s
    WHERE s.vehicle_id IS NOT NULL AND s.status <> 'cancelled'
        AND abs(hashtext('declined' || s.id)) %% 3 = 0
        AND NOT EXISTS (SELECT 1 FROM customers_declinedwork w WHERE w.visit_id = s.id)
"""


class Command(BaseCommand):
    help = "Demo service history: car categories, maintenance schedules, visits, declined work."

    def handle(self, *args, **options):
        by = self._administrator()
        with transaction.atomic():
            cars = self._car_categories(by)
            created = self._schedules(by, cars)
            with connection.cursor() as cursor:
                cursor.execute(USED_CAR_READINGS)
                used = cursor.rowcount
                cursor.execute(LINK_VISITS, {"visits": list(VISIT_CATEGORIES)})
                linked = cursor.rowcount
                declined = self._declined_work(cursor)
            visits = Purchase.objects.filter(vehicle__isnull=False).only("pk", "vehicle_id")
            recaptured = service_history.close_work_done_in(list(visits))
        self.stdout.write(
            self.style.SUCCESS(
                f"Service history: {created} schedules, {used} used-car readings, {linked} "
                f"visits linked to their car, {declined} declined work ({recaptured} done later)."
            )
        )

    def _administrator(self):
        by = demo_administrator()
        if by is None:
            raise CommandError("No administrator: run load_demo_data and seed_demo first.")
        return by

    def _car_categories(self, by):
        cars = {
            category.code: category
            for category in ProductCategory.objects.filter(code__in=demo_data.VEHICLE_YEARLY_KM)
        }
        if not cars:
            raise CommandError("The demo catalogue is missing: run seed_demo first.")
        for code, category in cars.items():
            if category.yearly_distance_km is None:
                services.save_product_category(
                    by=by, category=category, yearly_distance_km=demo_data.VEHICLE_YEARLY_KM[code]
                )
        return cars

    def _schedules(self, by, cars):
        products = {product.sku: product for product in Product.objects.all()}
        existing = list(MaintenanceSchedule.objects.all())
        have = {("category", schedule.category_id) for schedule in existing} | {
            ("product", schedule.product_id) for schedule in existing
        }
        created = 0
        for target, (name, service, km, months, first_km, first_months) in SCHEDULES.items():
            scope = (
                {"category": cars[target]} if target in cars else {"product": products.get(target)}
            )
            ((kind, subject),) = scope.items()
            if subject is None or (kind, subject.pk) in have or service not in products:
                continue
            service_history.save_schedule(
                by=by,
                name=name,
                service_product=products[service],
                interval_km=km,
                interval_months=months,
                first_km=first_km,
                first_months=first_months,
                **scope,
            )
            created += 1
        return created

    def _declined_work(self, cursor):
        products = {
            sku: (pk, price)
            for sku, pk, price in Product.objects.filter(
                sku__in={sku for sku, _text, _urgency in DECLINED}
            ).values_list("sku", "pk", "list_price")
        }
        choices = [
            (*products[sku], text, urgency) for sku, text, urgency in DECLINED if sku in products
        ]
        if not choices:
            return 0
        product_ids, prices, descriptions, urgencies = zip(*choices, strict=True)
        cursor.execute(
            DECLINE_AT_VISITS,
            {
                "products": list(product_ids),
                "descriptions": list(descriptions),
                "prices": list(prices),
                "urgencies": list(urgencies),
                "choices": len(choices),
            },
        )
        return cursor.rowcount
