"""Database expressions every app's queries use (the accent-folding one is in aftersales.search)."""

from django.db.models import DateField, Func


class LocalDate(Func):
    """The calendar date of a timestamp in the time zone an expression names:
    PostgreSQL's `timezone(zone, timestamptz)::date`. Each branch has its own zone, so the date
    must be computed per row, which Django's TruncDate (one fixed zone) cannot do."""

    function = "timezone"
    template = "(%(function)s(%(expressions)s))::date"
    output_field = DateField()
