"""The scorecards' filters, read from the query string: the period and, on an employee's
scorecard, one of their branches."""

from django import forms
from django.utils.translation import gettext_lazy as _

from staff.scorecards.selectors import DEFAULT_PERIOD_MONTHS, Period

PERIOD_CHOICES = [
    (3, _("last 3 months")),
    (6, _("last 6 months")),
    (12, _("last 12 months")),
]


class ScorecardFilterForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Period"),
        choices=PERIOD_CHOICES,
        coerce=int,
        required=False,
        empty_value=DEFAULT_PERIOD_MONTHS,
        initial=DEFAULT_PERIOD_MONTHS,
        help_text=_("Whole calendar months, this one included."),
    )
    branch = forms.TypedChoiceField(
        label=_("Branch"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Only the work done in this branch."),
    )

    def __init__(self, data=None, *, branches=None, **kwargs):
        """`branches`: the branches to choose from, already loaded (the page lists them too, so
        the choices cost no query of their own)."""
        super().__init__(data, **kwargs)
        if branches is None:
            del self.fields["branch"]
            self.branches = {}
        else:
            self.branches = {branch.pk: branch for branch in branches}
            self.fields["branch"].choices = [
                ("", _("all branches")),
                *((branch.pk, str(branch)) for branch in branches),
            ]

    def _data(self):
        return self.cleaned_data if self.is_bound and self.is_valid() else {}

    def period(self, *, today=None):
        """The chosen period (the default when the choice is missing or invalid)."""
        return Period.last(self._data().get("months") or DEFAULT_PERIOD_MONTHS, today=today)

    @property
    def chosen_branch(self):
        return self.branches.get(self._data().get("branch"))
