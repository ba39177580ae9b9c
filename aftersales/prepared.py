"""Lookups that nearly every request makes, compiled once per process and planned once per
database connection.

Authenticating an API call loads its token with the user and the user's roles, branches and
permissions (aftersales.signin.loading): one query of four array subqueries over seven tables.
Building its SQL took about 1 ms of Python on every call and PostgreSQL planned it afresh each
time (1–2 ms of the database's CPU, against 0.3 ms to run it), at a hundred calls a second a
tenth of both cores. A `PreparedLookup` compiles such a query once, with a placeholder for the
one value that varies, and runs it as a prepared statement, which PostgreSQL plans for its first
few runs on a connection and then keeps: the right trade for a lookup by a unique key over small
tables, whose best plan does not depend on the key.

The statement goes through Django's cursor wrapper as every other query does (query logging,
`execute_wrapper`, error translation) and is prepared by psycopg, on a cursor of its own with
server-side binding; Django's own cursors bind on the client and never prepare, so nothing else
changes. The connection must allow preparing: DATABASES' `prepare_threshold` (settings).
"""

from dataclasses import dataclass
from functools import cached_property

import psycopg
from django.db import connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models.query import get_related_populators


class _PreparingCursor(psycopg.Cursor):
    """A server-side binding cursor whose every statement is prepared (psycopg keeps the
    connection's prepared statements and reuses one when the same SQL comes again)."""

    def execute(self, query, params=None, **options):
        return super().execute(query, params, **options, prepare=True)


class _DebugCursor(CursorDebugWrapper):
    """Logs the statement with its values, as Django's debug cursor does for its own cursors
    (it asks the cursor for the statement it ran, which a preparing cursor keeps as `$1`)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return CursorWrapper.execute(self, sql, params)


def prepared_cursor(connection):
    """A Django cursor (as `connection.cursor()`) over a preparing psycopg cursor."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = _PreparingCursor(connection.connection)
    if connection.queries_logged:
        return _DebugCursor(cursor, connection)
    return connection.make_cursor(cursor)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    position: int
    converters: dict
    model: type
    init_list: list
    fields: slice
    related_populators: list
    annotations: dict
    compiler: object
    using: str


class PreparedLookup:
    """The row of a query filtered by one value (a unique key), as `make(value).first()` would
    give it: a model instance with its select_related objects and annotations, or None.

    `make(value)` builds the queryset; it is called once, with `placeholder` (a value of the
    key's type that occurs nowhere else in the query), to compile the SQL. `get(value)` takes
    the value as the database column holds it (the key's hash, an integer id)."""

    def __init__(self, make, *, placeholder):
        self._make = make
        self._placeholder = placeholder

    @cached_property
    def _compiled(self):
        queryset = self._make(self._placeholder).order_by()[:1]
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()  # also fills select, klass_info and annotation_col_map
        positions = [index for index, param in enumerate(params) if param == self._placeholder]
        if len(positions) != 1:
            raise ValueError(f"The placeholder occurs {len(positions)} times in the query.")
        select, klass_info = compiler.select, compiler.klass_info
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Compiled(
            sql=sql,
            params=tuple(params),
            position=positions[0],
            converters=compiler.get_converters([column for column, _, _ in select]),
            model=klass_info["model"],
            init_list=[column.target.attname for column, _, _ in select[first:last]],
            fields=slice(first, last),
            related_populators=get_related_populators(klass_info, select, queryset.db),
            annotations=dict(compiler.annotation_col_map),
            compiler=compiler,
            using=queryset.db,
        )

    def get(self, value):
        compiled = self._compiled
        params = list(compiled.params)
        params[compiled.position] = value
        with prepared_cursor(connections[compiled.using]) as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if compiled.converters:
            row = next(compiled.compiler.apply_converters([row], compiled.converters))
        instance = compiled.model.from_db(compiled.using, compiled.init_list, row[compiled.fields])
        for populator in compiled.related_populators:
            populator.populate(row, instance)
        for name, position in compiled.annotations.items():
            setattr(instance, name, row[position])
        return instance
