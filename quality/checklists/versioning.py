"""Copy-on-edit versioning of a checklist: a version that is in use (an assignment or an audit
was made with it) never changes again, so whatever was filled in against it keeps its meaning and
its score. Editing makes a new version; an unused current version is changed in place.

The structure is plain data: a tuple of (section titles, tuple of item dicts), comparable with
what a stored version holds (`version_structure`). The texts are held in every language
(`SECTION_TEXTS`, `ITEM_TEXTS`: the concrete models register them for translation), so a change
to the German alone is a change too.
"""

from aftersales.translated import translated

# {"title_de": ..., "title_en": ...}: a section's titles in the structure.
SECTION_TEXTS = tuple(translated("title"))
# The columns of an item's texts; the item dicts hold them besides the concrete model's fields.
ITEM_TEXTS = tuple(translated("text", "guidance"))


def _stored(row, name):
    value = getattr(row, name)
    # A language column nobody wrote yet is NULL; the structure an editor sends has "" there.
    return "" if value is None and name in (*SECTION_TEXTS, *ITEM_TEXTS) else value


def version_structure(version, *, items, fields):
    """The stored structure of `version`: its sections in order with the `fields` of each item
    (`items` is the related name from section to item)."""
    sections = version.sections.prefetch_related(items).order_by("position", "pk")
    return tuple(
        (
            {name: _stored(section, name) for name in SECTION_TEXTS},
            tuple(
                {name: _stored(item, name) for name in fields}
                for item in sorted(getattr(section, items).all(), key=lambda i: (i.position, i.pk))
            ),
        )
        for section in sections
    )


def version_to_write(template, *, in_use, new_version):
    """The version an edit goes into: the current one, emptied, when nothing uses it; otherwise a
    new one numbered after it, made by `new_version(number)` (unsaved)."""
    current = template.current_version()
    if current is not None and not in_use(current):
        current.sections.all().delete()
        return current
    version = new_version((current.number + 1) if current else 1)
    version.save()
    return version


def write_structure(version, structure, *, section_model, item_model, clean=None):
    """Write sections and items (`structure` as in `version_structure`) into an empty version;
    `clean(item)` may validate each unsaved item."""
    for position, (titles, items) in enumerate(structure):
        section = section_model.objects.create(version=version, position=position, **titles)
        rows = []
        for index, data in enumerate(items):
            row = item_model(section=section, position=index, **data)
            if clean is not None:
                clean(row)
            rows.append(row)
        item_model.objects.bulk_create(rows)
