"""Helpers the demo and performance data commands share."""

from contextlib import contextmanager

from django.db.models import Q

from aftersales.models import User
from aftersales.roles import Role


def demo_administrator():
    """The administrator the demo data is set up by: `admin` if there is one, else the first
    active administrator (None without one)."""
    administrators = User.objects.filter(
        Q(is_superuser=True) | Q(groups__name=Role.ADMIN), is_active=True
    ).distinct()
    return administrators.filter(username="admin").first() or administrators.order_by("pk").first()


@contextmanager
def explicit_timestamps(*models):
    """Let bulk_create keep the creation times we give instead of stamping every row with now:
    performance data needs customers and purchases spread over the past two years."""
    fields = [
        model_field
        for model in models
        for model_field in model._meta.concrete_fields
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)
    ]
    saved = [
        (model_field, model_field.auto_now, model_field.auto_now_add) for model_field in fields
    ]
    for model_field in fields:
        model_field.auto_now = model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field, auto_now, auto_now_add in saved:
            model_field.auto_now, model_field.auto_now_add = auto_now, auto_now_add


def fill_missing_translations(queryset, key, values):
    """Give the shipped rows the languages they lack, never overwriting a dealer's own wording.

    `values` maps a row's `key` (a code, a SKU) to its columns, e.g.
    {"new-cars": {"name_en": "New cars", "name_de": "Neuwagen"}}: a database seeded before the
    data had two languages gets the missing one on the next run of the seed command.
    """
    changed = {}
    for row in queryset.filter(**{f"{key}__in": list(values)}):
        for column, value in values[getattr(row, key)].items():
            if value and not getattr(row, column):
                setattr(row, column, value)
                changed[row.pk] = row
    if changed:
        columns = sorted({column for columns in values.values() for column in columns})
        queryset.model.objects.bulk_update(changed.values(), columns)
    return len(changed)
