"""How far a vehicle has driven today, estimated from its odometer readings, and when its next
service is due. Written once, in SQL, so that the purchase page, the API and the offer rules
(followups.offers, set-based over all vehicles) read the same numbers.

Readings of a vehicle (a purchase of a category with a default yearly distance):
- its handover: the purchase's own odometer reading, or 0 km for a new car;
- every service visit naming it (`Purchase.vehicle`) with an odometer reading, on the visit's
  handover date (else its purchase date); cancelled visits do not count.

With two readings or more on different days the vehicle's own pace is the distance between the
first and the last reading over the days between them (linear); with one reading or none (or no
progress between them) the category's default yearly distance
(`ProductCategory.yearly_distance_km`, demo 15,000 km). The estimate today is the last reading
(0 km without one) plus the pace times the days since (the handover or purchase date without
a reading).

Maintenance (`MaintenanceSchedule`: the model's schedule, else its category's): counted from the
last visit that contained the schedule's service (its reading, else the estimate on that day),
else from the handover with the "first after" limits when they are set. Due by time: that day
plus the months; due by distance: that reading plus the kilometres, reached on the day the pace
says. Whichever comes first decides.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection

DEFAULT_YEARLY_KM = 15000
CANCELLED = "cancelled"


def _readings_sql(vehicle_filter):
    """(vehicle_id, day, km) of the vehicles the filter (SQL on the alias v) selects."""
    return f"""
        SELECT v.id AS vehicle_id, v.handover_date AS day, COALESCE(v.odometer_km, 0) AS km
        FROM customers_purchase v
        WHERE ({vehicle_filter}) AND v.handover_date IS NOT NULL
        UNION ALL
        SELECT s.vehicle_id, COALESCE(s.handover_date, s.purchase_date), s.odometer_km
        FROM customers_purchase s JOIN customers_purchase v ON v.id = s.vehicle_id
        WHERE ({vehicle_filter}) AND s.odometer_km IS NOT NULL AND s.status <> '{CANCELLED}'
    """  # noqa: S608  # nosec B608 (the filter is our own SQL, values are parameters)


def estimates_sql(vehicle_filter, today_param="%(today)s"):
    """A SELECT of (vehicle_id, readings, last_day, last_km, daily_km, km_today) for the
    vehicles the filter selects (SQL on the alias v, whose parameters the caller passes)."""
    return f"""
        WITH readings AS ({_readings_sql(vehicle_filter)}),
        spans AS (
            SELECT vehicle_id, count(*) AS readings, min(day) AS first_day, max(day) AS last_day,
                (array_agg(km ORDER BY day, km))[1] AS first_km,
                (array_agg(km ORDER BY day DESC, km DESC))[1] AS last_km
            FROM readings GROUP BY vehicle_id
        ),
        paced AS (
            SELECT v.id AS vehicle_id, COALESCE(s.readings, 0) AS readings,
                s.last_day, s.last_km,
                COALESCE(s.last_day, v.handover_date, v.purchase_date) AS base_day,
                CASE WHEN s.readings >= 2 AND s.last_day > s.first_day AND s.last_km > s.first_km
                    THEN (s.last_km - s.first_km)::float / (s.last_day - s.first_day)
                    ELSE COALESCE(c.yearly_distance_km, {DEFAULT_YEARLY_KM}) / 365.0
                END AS daily_km
            FROM customers_purchase v
            LEFT JOIN spans s ON s.vehicle_id = v.id
            LEFT JOIN customers_productcategory c ON c.id = v.main_category_id
            WHERE ({vehicle_filter})
        )
        SELECT vehicle_id, readings, last_day, last_km, daily_km,
            round(COALESCE(last_km, 0)
                + daily_km * GREATEST({today_param}::date - base_day, 0))::int AS km_today
        FROM paced
    """  # noqa: S608  # nosec B608 (our own SQL; values are parameters)


def maintenance_sql(vehicle_filter, today_param="%(today)s"):
    """A SELECT of the next due service per vehicle: (vehicle_id, schedule_id, km_today,
    due_date, due_km, km_date, next_date, decided_by, km_left, done_before) — schedule_id is
    NULL for a vehicle without a schedule."""
    return f"""
        WITH est AS ({estimates_sql(vehicle_filter, today_param)}),
        sched AS (
            SELECT v.id AS vehicle_id, COALESCE(
                (SELECT ms.id FROM customers_maintenanceschedule ms
                    JOIN customers_purchaseline l ON l.product_id = ms.product_id
                    WHERE l.purchase_id = v.id AND ms.is_active ORDER BY l.id LIMIT 1),
                (SELECT ms.id FROM customers_maintenanceschedule ms
                    WHERE ms.category_id = v.main_category_id AND ms.is_active)
            ) AS schedule_id
            FROM customers_purchase v WHERE ({vehicle_filter})
        ),
        done AS (
            SELECT DISTINCT ON (s.vehicle_id) s.vehicle_id,
                COALESCE(s.handover_date, s.purchase_date) AS day, s.odometer_km AS km
            FROM sched
            JOIN customers_maintenanceschedule ms ON ms.id = sched.schedule_id
            JOIN customers_purchase s ON s.vehicle_id = sched.vehicle_id
            WHERE s.status <> '{CANCELLED}' AND EXISTS (
                SELECT 1 FROM customers_purchaseline l
                WHERE l.purchase_id = s.id AND l.product_id = ms.service_product_id)
            ORDER BY s.vehicle_id, COALESCE(s.handover_date, s.purchase_date) DESC, s.id DESC
        ),
        base AS (
            SELECT sched.vehicle_id, sched.schedule_id, est.km_today, est.daily_km,
                est.last_day, COALESCE(est.last_km, 0) AS last_km,
                done.vehicle_id IS NOT NULL AS done_before,
                COALESCE(done.day, v.handover_date, v.purchase_date) AS base_day,
                COALESCE(
                    done.km,
                    CASE WHEN done.day IS NOT NULL THEN round(COALESCE(est.last_km, 0)
                        + est.daily_km * (done.day - COALESCE(est.last_day, done.day)))::int END,
                    v.odometer_km, 0) AS base_km,
                CASE WHEN done.vehicle_id IS NULL THEN COALESCE(ms.first_months, ms.interval_months)
                    ELSE ms.interval_months END AS months,
                CASE WHEN done.vehicle_id IS NULL THEN COALESCE(ms.first_km, ms.interval_km)
                    ELSE ms.interval_km END AS km
            FROM sched
            JOIN customers_purchase v ON v.id = sched.vehicle_id
            JOIN est ON est.vehicle_id = sched.vehicle_id
            LEFT JOIN customers_maintenanceschedule ms ON ms.id = sched.schedule_id
            LEFT JOIN done ON done.vehicle_id = sched.vehicle_id
        ),
        due AS (
            SELECT *, (base_day + make_interval(months => months))::date AS due_date,
                base_km + km AS due_km
            FROM base
        ),
        reached AS (
            SELECT *, CASE WHEN daily_km > 0 THEN
                COALESCE(last_day, base_day) + ceil((due_km - last_km) / daily_km)::int END
                AS km_date
            FROM due
        )
        SELECT vehicle_id, schedule_id, km_today, due_date, due_km, km_date,
            LEAST(due_date, km_date) AS next_date,
            CASE WHEN km_date < due_date THEN 'distance' ELSE 'time' END AS decided_by,
            due_km - km_today AS km_left, done_before
        FROM reached
    """  # noqa: S608  # nosec B608 (our own SQL; values are parameters)


@dataclass(frozen=True)
class Estimate:
    readings: int
    last_reading_on: date | None
    last_reading_km: int | None
    daily_km: float
    km_today: int

    @property
    def yearly_km(self):
        return round(self.daily_km * 365)


@dataclass(frozen=True)
class NextService:
    schedule_id: int
    km_today: int
    due_date: date
    due_km: int
    km_date: date | None
    next_date: date
    decided_by: str  # "time" or "distance"
    km_left: int
    done_before: bool

    @property
    def by_distance(self):
        return self.decided_by == "distance"


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def estimates(vehicle_ids, *, today):
    """{vehicle id: Estimate} for the given vehicle purchases, in one query."""
    ids = list(vehicle_ids)
    if not ids:
        return {}
    rows = _rows(estimates_sql("v.id = ANY(%(ids)s)"), {"ids": ids, "today": today})
    return {
        vehicle_id: Estimate(readings, last_day, last_km, daily_km, km_today)
        for vehicle_id, readings, last_day, last_km, daily_km, km_today in rows
    }


def next_services(vehicle_ids, *, today):
    """{vehicle id: NextService} for those of the vehicles that have a schedule, in one query."""
    ids = list(vehicle_ids)
    if not ids:
        return {}
    rows = _rows(maintenance_sql("v.id = ANY(%(ids)s)"), {"ids": ids, "today": today})
    return {row[0]: NextService(*row[1:]) for row in rows if row[1] is not None}
