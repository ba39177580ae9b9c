"""The versioned, scored checklist both quality audits and mystery shopping use.

`models.py` holds the abstract bases (template → version → section → item with weight, type,
target, critical flag and guidance); the concrete apps add their foreign keys, their choices of
item type and their own labels. `scoring.py` scores a set of answers against a version's items
(pure functions), and `versioning.py` is the copy-on-edit rule: a version that is in use is never
changed again, an edit makes a new one. quality sits below staff (docs/architecture.md), so both
`quality.audits` and `staff.mystery` can use it.
"""
