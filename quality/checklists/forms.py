"""Editing a versioned checklist on one page: one formset row per item, its section named on the
row (rows with the same section title form that section, in the order they first appear; an
empty section continues the one above). Section, text and guidance are typed in German and
English side by side (English required). A concrete checklist subclasses the row form with its
item types and target fields and names the key its services read the items from."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.translated import SIDE_BY_SIDE, in_language, translated
from quality.checklists.models import ItemKind
from quality.checklists.versioning import ITEM_TEXTS

# Rows "More rows" adds, and the most rows a page redisplays.
MORE_ROWS = 5
MAX_ROWS = 200
# A row's section, in each language.
SECTION_FIELDS = tuple(translated("section"))
TEXT_FIELDS = (*SECTION_FIELDS, *ITEM_TEXTS)


class ChecklistRowForm(forms.Form):
    """The fields every checklist item has; a subclass sets `kind`'s choices, the labels of its
    texts (`text_label`, `guidance_label`) and adds its target fields (named in
    `target_fields`, copied into the item only when they apply)."""

    kind = forms.ChoiceField(label=_("Type"), choices=(), initial=ItemKind.YES_NO)
    weight = forms.IntegerField(label=_("Weight"), min_value=0, max_value=10, initial=1)
    is_critical = forms.BooleanField(label=_("Critical"), required=False)

    text_label = _("Criterion")
    guidance_label = _("Guidance")
    target_fields = ()
    # The item types whose target fields apply.
    target_kinds = frozenset()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        texts = {}
        for code in SIDE_BY_SIDE:
            texts[f"section_{code}"] = forms.CharField(
                label=in_language(_("Section"), code),
                max_length=150,
                required=False,
                help_text=_("Empty: the section of the row above."),
            )
        for code in SIDE_BY_SIDE:
            texts[f"text_{code}"] = forms.CharField(
                label=in_language(self.text_label, code), max_length=250, required=False
            )
        for code in SIDE_BY_SIDE:
            texts[f"guidance_{code}"] = forms.CharField(
                label=in_language(self.guidance_label, code),
                required=False,
                widget=forms.Textarea(attrs={"rows": 1}),
            )
        self.fields = texts | self.fields

    def is_blank(self):
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in TEXT_FIELDS)

    def clean(self):
        data = super().clean()
        if self.is_blank() or data.get("DELETE"):
            return data
        if not data.get("text_en"):
            self.add_error(
                "text_en",
                _("Write the criterion in English too.")
                if data.get("text_de")
                else _("Write the criterion, or tick Delete."),
            )
        if data.get("is_critical") and data.get("kind") == ItemKind.OBSERVATION:
            self.add_error("is_critical", _("An observation is not scored, so not critical."))
        return data

    def section(self):
        """The row's section titles, each language's column in the services' structure."""
        data = self.cleaned_data
        return {f"title_{code}": data.get(f"section_{code}", "") for code in SIDE_BY_SIDE}

    def targets(self):
        """The bound target fields, for the editor's rows."""
        return [self[name] for name in self.target_fields]

    def item(self):
        """The row as one item of the services' structure."""
        data = self.cleaned_data
        applies = data["kind"] in self.target_kinds
        return {
            **{name: data.get(name, "") for name in ITEM_TEXTS},
            "kind": data["kind"],
            "weight": data["weight"] if data.get("weight") is not None else 1,
            "is_critical": data.get("is_critical", False),
            **{name: data.get(name) if applies else None for name in self.target_fields},
        }


class ChecklistFormSet(forms.BaseFormSet):
    """The rows of a checklist; `items_key` is what the services call a section's items."""

    items_key = "items"

    def _rows(self):
        current = None
        for form in self.forms:
            data = form.cleaned_data
            if data.get("DELETE") or form.is_blank():
                continue
            titles = form.section()
            if any(titles.values()):
                current = titles
            yield current, form

    def clean(self):
        if any(self.errors):
            return
        for titles, form in self._rows():
            if titles is None:
                form.add_error("section_en", _("Name the section of the first criterion."))
                raise forms.ValidationError(_("Name the section of the first criterion."))
            if not titles["title_en"]:
                form.add_error("section_en", _("Name the section in English too."))
                raise forms.ValidationError(_("Name every section in English too."))

    def sections(self):
        """The rows as the services' structure: [{"title_de", "title_en", items_key: [...]}].
        A section is known by its English title; its German is the first a row gives."""
        sections = {}
        for titles, form in self._rows():
            section = sections.setdefault(titles["title_en"], {**titles, self.items_key: []})
            section["title_de"] = section["title_de"] or titles["title_de"]
            section[self.items_key].append(form.item())
        return list(sections.values())


def checklist_formset(row_form, *, formset=ChecklistFormSet, extra=3):
    return forms.formset_factory(row_form, formset=formset, extra=extra, can_delete=True)


def version_rows(version, *, items, fields):
    """A version's items as initial rows of the formset (`items` is the section's related
    name, `fields` the item fields besides the section)."""
    if version is None:
        return []
    return [
        {f"section_{code}": getattr(section, f"title_{code}") or "" for code in SIDE_BY_SIDE}
        | {name: getattr(row, name) for name in fields}
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
            {name: data.get(f"{key}{name}", "") for name in (*SECTION_FIELDS, *fields)}
            | {name: bool(data.get(f"{key}{name}")) for name in flags}
        )
    return rows
