"""The dissonance dashboard's filters, read from the query string (GET), and the parameters of
the lists behind its numbers.

The choices (branches, product categories, salespeople) are read once each with `values_list`
and checked in Python, so that validating a chosen value costs no further query; the dashboard
takes the names for its tables from the same lists (see `quality.dashboard.overview`).
"""

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from aftersales.widgets import DateInput
from quality import dashboard
from quality.models import DissonanceSignal, Level, Nature

MEASURES = [("points", _("points")), ("count", _("number of signals"))]
LISTS = [
    ("signals", _("signals")),
    ("complaints", _("complaints")),
    ("surveys", _("survey answers")),
    ("customers", _("customers")),
]
COMPLAINT_STATES = [
    ("", _("received in the period")),
    ("open", _("open now")),
    ("breached", _("received in the period, deadline missed")),
    ("acknowledged", _("received in the period and acknowledged")),
    ("resolved", _("received in the period and resolved")),
]
SURVEY_ANSWERS = [
    ("", _("all answers")),
    ("promoter", _("promoters (9–10)")),
    ("passive", _("passives (7–8)")),
    ("detractor", _("detractors (0–6)")),
]
LEVEL_CHOICES = [
    ("", _("at risk (high and critical)")),
    ("all", _("every level")),
    *reversed(Level.choices),
]


class DashboardFilterForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput(),
        help_text=_("First day of the period (default: 90 days ago)."),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=DateInput(),
        help_text=_("Last day of the period (default: today)."),
    )
    branch = forms.TypedChoiceField(label=_("Branch"), coerce=int, empty_value=None, required=False)
    category = forms.ChoiceField(
        label=_("Product category"),
        required=False,
        help_text=_("The main category of the purchase the doubt is about."),
    )
    salesperson = forms.ChoiceField(
        label=_("Salesperson"),
        required=False,
        help_text=_("Who sold the purchase, else the customer's responsible salesperson."),
    )
    measure = forms.ChoiceField(
        label=_("Heat maps show"), choices=MEASURES, required=False, initial="points"
    )

    def __init__(self, data=None, *, user, **kwargs):
        default_start, default_end = dashboard.period()
        if data is not None and not (data.get("start") or data.get("end")):
            # Show the period a list without dates covers (the dashboard's default).
            data = data.copy()
            data["start"], data["end"] = default_start.isoformat(), default_end.isoformat()
        super().__init__(data, **kwargs)
        self.known_names = {
            "branch": dashboard.branch_choices(user),
            "category": dashboard.category_choices(),
            "salesperson": dashboard.salesperson_choices(user),
        }
        self.fields["branch"].choices = [("", _("all my branches")), *self.known_names["branch"]]
        self.fields["category"].choices = [
            ("", _("all categories")),
            *self.known_names["category"],
            (dashboard.NONE, _("no product category")),
        ]
        self.fields["salesperson"].choices = [
            ("", _("everybody")),
            *self.known_names["salesperson"],
            (dashboard.NONE, _("nobody")),
        ]
        # Shown in the empty form; an empty field means the same.
        self.fields["start"].initial, self.fields["end"].initial = default_start, default_end

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(
                _("The period must start on or before its last day: swap “from” and “to”.")
            )
        return cleaned

    def _data(self):
        """The valid part of the input: a wrong value is reported above the page and left
        out, a reversed period falls back to the default one."""
        if not self.is_bound:
            return {}
        self.is_valid()
        left_out = set(self.errors)
        if self.non_field_errors():
            left_out |= {"start", "end"}
        return {name: value for name, value in self.cleaned_data.items() if name not in left_out}

    @staticmethod
    def _dimension(value):
        if value in ("", None):
            return None
        return dashboard.NONE if value == dashboard.NONE else int(value)

    def filters(self):
        data = self._data()
        start, end = dashboard.period(data.get("start"), data.get("end"))
        if start > end:
            start, end = dashboard.period()
        return dashboard.Filters(
            start=start,
            end=end,
            branch=data.get("branch"),
            category=self._dimension(data.get("category")),
            salesperson=self._dimension(data.get("salesperson")),
        )

    @property
    def heat_measure(self):
        return self._data().get("measure") or "points"

    def active_filters(self, *, with_period=True):
        """(label, value) of what the page is filtered by, for its heading."""
        filters = self.filters()
        items = []
        if with_period:
            items.append(
                (
                    _("Period"),
                    f"{date_format(filters.start, 'SHORT_DATE_FORMAT')} – "
                    f"{date_format(filters.end, 'SHORT_DATE_FORMAT')}",
                )
            )
        data = self._data()
        for name in self.DESCRIBED:
            value = data.get(name)
            if value not in (None, ""):
                labels = {str(key): label for key, label in self.fields[name].choices}
                items.append((self.fields[name].label, labels.get(str(value), value)))
        return items

    DESCRIBED = ("branch", "category", "salesperson")
    # What a list page keeps when its filters change: which list it is, what it counted.
    KEPT = ()

    @property
    def kept_parameters(self):
        data = self.data if self.is_bound else {}
        return [(name, data[name]) for name in self.KEPT if data.get(name)]


class DrillDownForm(DashboardFilterForm):
    """The list behind a number: the dashboard's filters and what the number counted."""

    list = forms.ChoiceField(choices=LISTS, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of signal"),
        choices=[("", _("any kind")), *DissonanceSignal.Kind.choices],
        required=False,
    )
    state = forms.ChoiceField(label=_("Complaints"), choices=COMPLAINT_STATES, required=False)
    nature = forms.ChoiceField(
        label=_("Nature"), choices=[("", _("any nature")), *Nature.choices], required=False
    )
    complaint_category = forms.IntegerField(required=False, min_value=1)
    answer = forms.ChoiceField(label=_("Answers"), choices=SURVEY_ANSWERS, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=LEVEL_CHOICES, required=False)
    search = forms.CharField(
        label=_("Customer"),
        required=False,
        max_length=100,
        help_text=_("Name, e-mail or phone number, or the beginning of one."),
    )
    # One customer's score: the link from the customer page (customers.panels).
    customer = forms.IntegerField(required=False, min_value=1)

    DESCRIBED = (*DashboardFilterForm.DESCRIBED, "kind", "state", "nature", "answer", "level")
    KEPT = (
        "list",
        "kind",
        "state",
        "nature",
        "complaint_category",
        "answer",
        "level",
        "search",
        "customer",
    )

    @property
    def chosen_level(self):
        """The customers' level to list: None for "at risk", "all" or a Level."""
        return self._data().get("level") or None

    def customer_arguments(self):
        """Keyword arguments of the customers' list besides user and filters."""
        data = self._data()
        return {
            "level": self.chosen_level,
            "search": data.get("search", ""),
            "customer": data.get("customer"),
        }

    def list_arguments(self):
        """(list name, keyword arguments of its selector besides user and filters)."""
        data = self._data()
        name = data.get("list") or "signals"
        if name == "complaints":
            return name, {
                "state": data.get("state", ""),
                "nature": data.get("nature", ""),
                "category": data.get("complaint_category"),
            }
        if name == "surveys":
            return name, {"answer": data.get("answer", "")}
        if name == "customers":
            return name, self.customer_arguments()
        return "signals", {"kind": data.get("kind", "")}
