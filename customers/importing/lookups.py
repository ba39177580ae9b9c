"""`column = ANY(array)`: filtering on 100,000s of values without an IN list."""

from django.contrib.postgres.fields import ArrayField
from django.db.models import CharField, F, Lookup, Value


class EqualsAny(Lookup):
    """`column = ANY(%s)` with the values as one array parameter: an IN list of 100,000 values
    costs seconds to build in Django and psycopg, an array almost nothing."""

    lookup_name = "equals_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def equals_any(column, values, base_field=None):
    """A filter: `column` equals one of `values` (of `base_field`, CharField by default)."""
    array = Value(list(values), output_field=ArrayField(base_field or CharField()))
    return EqualsAny(F(column), array)
