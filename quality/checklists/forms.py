"""Editing a versioned checklist on one page: one formset row per item, its section named on the
row (rows with the same section title form that section, in the order they first appear; an
empty section continues the one above). A concrete checklist subclasses the row form with its
item types and target fields and names the key its services read the items from."""

from django import forms
from django.utils.translation import gettext_lazy as _

from quality.checklists.models import ItemKind

# Rows "More rows" adds, and the most rows a page redisplays.
MORE_ROWS = 5
MAX_ROWS = 200


class ChecklistRowForm(forms.Form):
    """The fields every checklist item has; a subclass sets `kind`'s choices and adds its
    target fields (named in `target_fields`, copied into the item only when they apply)."""

    section = forms.CharField(
        label=_("Section"),
        max_length=150,
        required=False,
        help_text=_("Empty: the section of the row above."),
    )
    text = forms.CharField(label=_("Criterion"), max_length=250, required=False)
    guidance = forms.CharField(
        label=_("Guidance"), required=False, widget=forms.Textarea(attrs={"rows": 1})
    )
    kind = forms.ChoiceField(label=_("Type"), choices=(), initial=ItemKind.YES_NO)
    weight = forms.IntegerField(label=_("Weight"), min_value=0, max_value=10, initial=1)
    is_critical = forms.BooleanField(label=_("Critical"), required=False)

    target_fields = ()
    # The item types whose target fields apply.
    target_kinds = frozenset()

    def is_blank(self):
        data = getattr(self, "cleaned_data", {})
        return not data.get("text") and not data.get("section") and not data.get("guidance")

    def clean(self):
        data = super().clean()
        if self.is_blank() or data.get("DELETE"):
            return data
        if not data.get("text"):
            self.add_error("text", _("Write the criterion, or tick Delete."))
        if data.get("is_critical") and data.get("kind") == ItemKind.OBSERVATION:
            self.add_error("is_critical", _("An observation is not scored, so not critical."))
        return data

    def targets(self):
        """The bound target fields, for the editor's rows."""
        return [self[name] for name in self.target_fields]

    def item(self):
        """The row as one item of the services' structure."""
        data = self.cleaned_data
        applies = data["kind"] in self.target_kinds
        return {
            "text": data["text"],
            "guidance": data.get("guidance", ""),
            "kind": data["kind"],
            "weight": data["weight"] if data.get("weight") is not None else 1,
            "is_critical": data.get("is_critical", False),
            **{name: data.get(name) if applies else None for name in self.target_fields},
        }


class ChecklistFormSet(forms.BaseFormSet):
    """The rows of a checklist; `items_key` is what the services call a section's items."""

    items_key = "items"

    def _rows(self):
        current = ""
        for form in self.forms:
            data = form.cleaned_data
            if data.get("DELETE") or form.is_blank():
                continue
            current = data.get("section") or current
            yield current, form

    def clean(self):
        if any(self.errors):
            return
        for section, form in self._rows():
            if not section:
                form.add_error("section", _("Name the section of the first criterion."))
                raise forms.ValidationError(_("Name the section of the first criterion."))

    def sections(self):
        """The rows as the services' structure: [{"title", items_key: [...]}]."""
        sections = {}
        for section, form in self._rows():
            sections.setdefault(section, []).append(form.item())
        return [{"title": title, self.items_key: rows} for title, rows in sections.items()]


def checklist_formset(row_form, *, formset=ChecklistFormSet, extra=3):
    return forms.formset_factory(row_form, formset=formset, extra=extra, can_delete=True)


def version_rows(version, *, items, fields):
    """A version's items as initial rows of the formset (`items` is the section's related
    name, `fields` the item fields besides the section)."""
    if version is None:
        return []
    return [
        {"section": section.title} | {name: getattr(row, name) for name in fields}
        for section in version.sections.all()
        for row in getattr(section, items).all()
    ]


def rows_from_post(data, *, fields, flags=("is_critical",), prefix):
    """The rows typed so far (for "More rows", which redisplays them without validating)."""
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), MAX_ROWS)
    except ValueError:
        total = 0
    rows = []
    for index in range(total):
        key = f"{prefix}-{index}-"
        if data.get(f"{key}DELETE"):
            continue
        rows.append(
            {name: data.get(f"{key}{name}", "") for name in ("section", *fields)}
            | {name: bool(data.get(f"{key}{name}")) for name in flags}
        )
    return rows
