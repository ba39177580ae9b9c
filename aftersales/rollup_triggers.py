"""Roll-ups that the database keeps itself: statement triggers on a source table that add every
insert, change and delete to a roll-up table, whichever statement made it (a service's save, a
set-based UPDATE, COPY, a cascade). The migrations that create roll-ups use this (followups
0010, quality 0016–0018).

Per statement, not per row (transition tables): a bulk write of a million rows writes each
roll-up row once. The changes are added in key order, so that two transactions lock the roll-up
rows they share in the same order and cannot deadlock on them.
"""

from dataclasses import dataclass
from zoneinfo import available_timezones

from django.conf import settings
from django.db import connection, models, transaction

_EVENTS = ("insert", "update", "delete")

# A moment's day in the project's time zone, the days and months of the roll-ups (as the
# dashboards' periods are). The zone is written into the function, so that the triggers need no
# setting; the nightly rebuilds write it again, so a changed TIME_ZONE is followed by the next
# night.
_LOCAL_DAY = """
CREATE OR REPLACE FUNCTION aftersales_local_day(moment timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
    SELECT (moment AT TIME ZONE '{zone}')::date
$$;
"""


def local_day_function():
    zone = settings.TIME_ZONE
    # Written into SQL: only a real zone name, which has no quote in it.
    if zone not in available_timezones():
        raise ValueError(f"TIME_ZONE {zone!r} is not a time zone.")
    return _LOCAL_DAY.format(zone=zone)


_REFERENCING = {
    "insert": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def counted_reference(to, *, null=False):
    """A roll-up's key column that names a row it counts by (a person, a category, a customer):
    no constraint and no cascade. The source row's own reference decides; when the referenced
    row goes, the source's change (a SET NULL, a delete) moves the counts by the trigger, and a
    constraint would refuse the moment in between."""
    return models.ForeignKey(
        to, on_delete=models.DO_NOTHING, db_constraint=False, null=null, related_name="+"
    )


@dataclass(frozen=True)
class Rollup:
    """`rows` is a SELECT over `{table}` giving the roll-up's key columns and, for each summed
    column, the row's contribution multiplied by `{sign}` (+1 for a new row, -1 for an old one).
    `keep` says which summed changes are worth writing (a HAVING clause over the sums)."""

    name: str
    source: str
    target: str
    key: tuple[str, ...]
    sums: tuple[str, ...]
    rows: str
    keep: str = "true"

    def _grouped(self, rows):
        key = ", ".join(self.key)
        sums = ", ".join(f"sum({column})" for column in self.sums)
        columns = ", ".join((*self.key, *self.sums))
        return (
            f"INSERT INTO {self.target} ({columns}) SELECT {key}, {sums} FROM ({rows}) AS changes"  # noqa: S608  # nosec B608 (our own names)
            f" GROUP BY {key} HAVING {self.keep} ORDER BY {key}"
        )

    def _upsert(self, rows):
        updates = ", ".join(
            f"{column} = {self.target}.{column} + EXCLUDED.{column}" for column in self.sums
        )
        key = ", ".join(self.key)
        return f"{self._grouped(rows)} ON CONFLICT ({key}) DO UPDATE SET {updates}"  # nosec B608 (our own names)

    def _changes(self, event):
        old = self.rows.format(table="old_rows", sign=-1)
        new = self.rows.format(table="new_rows", sign=1)
        return {"insert": new, "delete": old, "update": f"{old} UNION ALL {new}"}[event]

    def triggers(self):
        """The trigger functions and triggers, and `<name>_refill()`, which fills the empty
        roll-up from all the source's rows (the nightly rebuild calls it after emptying it);
        then the roll-up is filled from the rows there are. A plain INSERT: the roll-up's key
        index is made only at the end of its migration."""
        refill = self._grouped(self.rows.format(table=self.source, sign=1))
        return "".join(
            f"""
CREATE FUNCTION {self.name}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {self._upsert(self._changes(event))};
    RETURN NULL;
END
$$;
CREATE TRIGGER {self.name}_{event} AFTER {event.upper()} ON {self.source}
    REFERENCING {_REFERENCING[event]}
    FOR EACH STATEMENT EXECUTE FUNCTION {self.name}_{event}();
"""
            for event in _EVENTS
        ) + (
            f"CREATE FUNCTION {self.name}_refill() RETURNS void LANGUAGE sql AS $$ {refill} $$;"
            f"SELECT {self.name}_refill();"
        )

    def untriggers(self):
        return (
            "".join(
                f"DROP TRIGGER {self.name}_{event} ON {self.source};"
                f"DROP FUNCTION {self.name}_{event}();"
                for event in _EVENTS
            )
            + f"DROP FUNCTION {self.name}_refill();"
        )


@transaction.atomic
def rebuild(name, *targets):
    """A roll-up again from its source (the nightly ticks): the local-day function written
    again, the `targets` emptied in order and `<name>_refill()`.

    The table locks make writers' triggers wait and then add their change to the new rows, and
    a writer that already changed a roll-up row is waited for, so nothing is lost or counted
    twice. A roll-up kept by a trigger on another roll-up comes after it in `targets`: emptied
    to zero by the first one's deletes, cleared, then filled again from its new rows."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {', '.join(targets)} IN EXCLUSIVE MODE")
        cursor.execute(local_day_function())
        for target in targets:
            cursor.execute(f"DELETE FROM {target}")  # noqa: S608  # nosec B608 (our table names)
        cursor.execute(f"SELECT {name}_refill()")
