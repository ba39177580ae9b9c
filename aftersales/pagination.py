"""Totals of paged lists that stay cheap on big tables, for the pages (aftersales.views.paginate)
and the API (the default pagination class).

An exact COUNT(*) over every customer a manager of several branches sees reads all those rows
(165 ms at a million customers, more than the page itself). A list's total is therefore exact up
to EXACT_COUNT_LIMIT, counted over a LIMITed subquery that stops there, and above it PostgreSQL's
own estimate of the query's rows (EXPLAIN, from the table statistics), shown as "about ...".

The limit is a thousand: counting up to 10,000 index entries took 7.5 ms of the database's CPU
on every call of the customer list at a million customers, a third of what the rest of the
request cost it, for a total that only matters while a user might page to the end.

A big list's estimate is then reused for ESTIMATE_REUSE_SECONDS by the same process for the same
query (its SQL and parameters: the same filters, search and scope), so paging through it or an
integrator polling it costs no query for the total: the limited count and the EXPLAIN were two of
the customer API list's five queries. A small list is counted every time, so that a new entry
shows at once; an estimate claims no more than two digits anyway.
"""

import hashlib

from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

EXACT_COUNT_LIMIT = 1_000
ESTIMATE_REUSE_SECONDS = 60
# A cache of this process's memory (settings.CACHES): a lookup there costs microseconds, a
# round trip to a shared cache about as much as the queries it would save.
ESTIMATES_CACHE = "list-estimates"


def _rows_of(queryset):
    """The rows of `queryset` as ids only: the same rows (its filters, joins and DISTINCT), without
    the columns, joined objects and annotations that only the page shows, which took longer
    to compile than the count to run."""
    return queryset.order_by().values("pk")


def estimated_rows(queryset):
    """PostgreSQL's estimate of how many rows `queryset` returns (no row is read)."""
    sql, params = _rows_of(queryset).query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    return int(plan[0]["Plan"]["Plan Rows"])


def _estimate_key(queryset):
    sql, params = _rows_of(queryset).query.sql_with_params()
    return hashlib.sha256(repr((queryset.db, sql, params)).encode()).hexdigest()


def rounded(number):
    """Two significant digits: 1,234,567 → 1,200,000 (an estimate claims no more)."""
    digits = len(str(number))
    return round(number, 2 - digits) if digits > 2 else number


class EstimatingPaginator(Paginator):
    """A paginator whose `count` is exact up to EXACT_COUNT_LIMIT and an estimate above
    (`is_estimate`)."""

    is_estimate = False

    @cached_property
    def count(self):
        if not isinstance(self.object_list, QuerySet):
            return super().count
        estimates = caches[ESTIMATES_CACHE]
        try:
            key = _estimate_key(self.object_list)
        except EmptyResultSet:  # a filter no row can match (`pk__in=[]`): no SQL to run
            return 0
        if (reused := estimates.get(key)) is not None:
            self.is_estimate = True
            return reused
        exact = _rows_of(self.object_list)[: EXACT_COUNT_LIMIT + 1].count()
        if exact <= EXACT_COUNT_LIMIT:
            return exact
        self.is_estimate = True
        estimate = rounded(max(estimated_rows(self.object_list), exact))
        estimates.set(key, estimate, ESTIMATE_REUSE_SECONDS)
        return estimate


class EstimatingPagination(PageNumberPagination):
    """The API's page-number pagination with the same totals; `count_is_estimate` says which."""

    django_paginator_class = EstimatingPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_is_estimate"] = self.page.paginator.is_estimate
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_is_estimate"] = {"type": "boolean", "example": False}
        return schema
