"""Form widgets every app uses: the browser's own date and date-time pickers.

The values are rendered in ISO form whatever the language, because that is the only form the
browser's `<input type="date">` and `type="datetime-local"` accept; they show it localised."""

from django import forms

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_LOCAL)
