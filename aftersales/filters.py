"""The API's filter backend: a filter value it cannot read is a 400, not a silently ignored filter.

django-filter's boolean widget reads anything but true/false/1/0 as "no filter", so
`?is_active=707` answered every row as if the caller had not asked.
"""

from django.utils.translation import gettext as _
from django_filters.filters import BooleanFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

BOOLEAN_VALUES = {"true", "false", "1", "0", ""}


class StrictFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            refuse_unreadable_booleans(filterset, request.query_params)
        return filterset


def refuse_unreadable_booleans(filterset, params):
    errors = {
        name: [_("Use true or false.")]
        for name, declared in filterset.filters.items()
        if isinstance(declared, BooleanFilter)
        and name in params
        and params[name].lower() not in BOOLEAN_VALUES
    }
    if errors:
        raise ValidationError(errors)
