"""Writing many rows at once on PostgreSQL: what `bulk_create` and `bulk_update` do, faster.

Why COPY
--------

`bulk_create` (and simple_history's `bulk_create_with_history`, which goes through it) sends
INSERTs whose every value Django prepares in Python and psycopg then packs into arrays. For
100,000s of rows that dominates the time: the purchase import (`customers.importing`) took
82 seconds for a 100,000-row file with `bulk_create` in batches of 2,000, against about 23 with
`COPY ... FROM STDIN`, which streams the rows as they are. So :func:`insert_objects` takes the
primary keys from the table's sequence in one query, sets them on the objects as `bulk_create`
does, and COPYs the rows; :func:`insert_history` writes the historical rows the same way.

`bulk_update` (and `bulk_update_with_history`) builds a CASE WHEN per object: over two minutes
for 60,000 changed customers. :func:`update_objects` sends one `UPDATE ... FROM unnest(arrays)`
instead, which takes seconds.

As with the bulk methods, no `save()`, `full_clean()` or model signals run: callers check the
values themselves, and the database constraints back them up.

This is the core layer: it knows models only through their `_meta`, never the apps above it.
"""

from operator import attrgetter

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import JSONField


def insert_objects(model, objs, *, now, by=None, change_reason=None):
    """What `bulk_create` (and simple_history's `bulk_create_with_history`) do for new, unsaved
    objects, through PostgreSQL's COPY.

    Primary keys come from the table's sequence in one query and are set on the objects, as
    bulk_create does; auto_now(_add) fields get `now`; models with history get one "+" record
    each, by the user `by` (None: no author), with `change_reason`."""
    if not objs:
        return
    opts = model._meta
    # Generated columns (Customer.search_vector) are computed by the database.
    fields = [field for field in opts.concrete_fields if not field.generated]
    stamped = [
        field.attname
        for field in fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    for obj, pk in zip(objs, _allocate_ids(model, len(objs)), strict=True):
        obj.pk = pk
        for name in stamped:
            setattr(obj, name, now)
        obj._state.adding = False
        obj._state.db = connection.alias
    _copy(opts.db_table, [field.column for field in fields], map(_values_of(fields), objs))
    if hasattr(opts, "simple_history_manager_attribute"):
        insert_history(model, objs, now=now, by=by, change_reason=change_reason)


def insert_rows(model, fields, rows):
    """COPY `rows`, tuples of the values of `fields` (attribute names), into the model's table,
    the primary key from its default (the sequence): for rows no one needs as objects, whose
    construction costs more than their COPY (22 µs a purchase line, a million lines in an
    import). Only for models without history, which needs the objects."""
    opts = model._meta
    if hasattr(opts, "simple_history_manager_attribute"):
        raise ImproperlyConfigured(f"{model.__name__} has history: use insert_objects.")
    _copy(opts.db_table, [opts.get_field(name).column for name in fields], rows)


def insert_history(model, objs, *, now, by, history_type="+", change_reason=None):
    """The rows simple_history's bulk_history_create would write ("+" created, "~" changed),
    by COPY: every tracked field, dated `now`, by the user `by`, with `change_reason`.

    Should the historical model ever get columns this does not know, it raises
    ImproperlyConfigured instead of writing incomplete history."""
    if not objs or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    historical = getattr(model, model._meta.simple_history_manager_attribute).model
    tracked = [field.attname for field in historical.tracked_fields]
    extra = {
        "history_date": now,
        "history_user_id": by.pk if by is not None else None,
        "history_change_reason": change_reason,
        "history_type": history_type,
    }
    columns = {field.attname: field.column for field in historical._meta.concrete_fields}
    expected = {*tracked, *extra, historical._meta.pk.attname}
    if set(columns) != expected:
        raise ImproperlyConfigured(
            f"{historical.__name__} has columns insert_history does not fill: "
            f"{sorted(set(columns) - expected)}; extend aftersales.bulk.insert_history."
        )
    values = _values_of(historical.tracked_fields)
    constants = tuple(extra.values())
    _copy(
        historical._meta.db_table,
        [columns[name] for name in (*tracked, *extra)],
        (values(obj) + constants for obj in objs),
    )


def update_objects(model, objs, fields):
    """What `bulk_update` does, in one `UPDATE ... FROM unnest(arrays)`: bulk_update's
    CASE WHEN per object took over a minute for 60,000 customers, this takes seconds."""
    if not objs:
        return
    opts = model._meta
    quote = connection.ops.quote_name
    columns = [opts.pk, *(opts.get_field(name) for name in fields)]
    arrays = ", ".join(f"%s::{column.db_type(connection)}[]" for column in columns)
    names = ", ".join(quote(column.column) for column in columns)
    assignments = ", ".join(
        f"{quote(column.column)} = new.{quote(column.column)}" for column in columns[1:]
    )
    pk = quote(opts.pk.column)
    # Table and column names come from the models, never from user input.
    statement = (
        f"UPDATE {quote(opts.db_table)} SET {assignments} "  # noqa: S608  # nosec B608 (names from the models)
        f"FROM unnest({arrays}) AS new({names}) "
        f"WHERE {quote(opts.db_table)}.{pk} = new.{pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            statement, [[getattr(obj, column.attname) for obj in objs] for column in columns]
        )


def _allocate_ids(model, count):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _values_of(fields):
    """A function giving an object's values of `fields` as COPY takes them: a JSON field's as
    its database value (psycopg adapts no dict or list to JSON by itself)."""
    plain = attrgetter(*(field.attname for field in fields))
    json_fields = [
        (index, field) for index, field in enumerate(fields) if isinstance(field, JSONField)
    ]
    if not json_fields:
        return plain

    def values(obj):
        row = list(plain(obj))
        for index, field in json_fields:
            row[index] = field.get_db_prep_value(row[index], connection)
        return tuple(row)

    return values


def _copy(table, columns, rows):
    quote = connection.ops.quote_name
    # Table and column names come from the models, never from user input.
    statement = f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(statement) as copy,
    ):
        for row in rows:
            copy.write_row(row)
