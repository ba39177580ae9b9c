"""Public holidays get a source (entered by hand, or imported from the `holidays` package) and
a subdivision (e.g. BY: only for branches in Bavaria).

Every existing row is kept and counts as entered by hand, except the fixed-date holidays the
old seed_playbooks typed in for DE and AT: those are what the import brings too, so they become
imported rows of their country (one per day), which the import then renames to the package's
names and never adds a second time."""

from django.db import migrations, models

# The table the old seed_playbooks created the rows from: country → (month, day, name).
OLD_SEED = {
    "DE": [(1, 1, "Neujahr"), (5, 1, "Tag der Arbeit"), (10, 3, "Tag der Deutschen Einheit"),
           (12, 25, "1. Weihnachtstag"), (12, 26, "2. Weihnachtstag")],
    "AT": [(1, 1, "Neujahr"), (1, 6, "Heilige Drei Könige"), (5, 1, "Staatsfeiertag"),
           (8, 15, "Mariä Himmelfahrt"), (10, 26, "Nationalfeiertag"), (11, 1, "Allerheiligen"),
           (12, 8, "Mariä Empfängnis"), (12, 25, "Christtag"), (12, 26, "Stefanitag")],
}  # fmt: skip


def mark_seeded_rows_imported(apps, schema_editor):
    PublicHoliday = apps.get_model("followups", "PublicHoliday")
    seeded = {
        (country, month, day, name)
        for country, days in OLD_SEED.items()
        for month, day, name in days
    }
    taken = set()
    marked = []
    rows = PublicHoliday.objects.filter(branch__isnull=True, country__in=list(OLD_SEED))
    for row in rows.order_by("pk"):
        key = (row.country, row.date)
        if (row.country, row.date.month, row.date.day, row.name) in seeded and key not in taken:
            taken.add(key)
            marked.append(row.pk)
    PublicHoliday.objects.filter(pk__in=marked).update(source="imported")


class Migration(migrations.Migration):
    dependencies = [
        ("aftersales", "0006_branch_holiday_region"),
        ("followups", "0003_followups_by_assignee"),
    ]

    operations = [
        migrations.AddField(
            model_name="publicholiday",
            name="source",
            field=models.CharField(
                choices=[("manual", "entered by hand"), ("imported", "imported")],
                default="manual",
                max_length=10,
                verbose_name="source",
            ),
        ),
        migrations.AddField(
            model_name="publicholiday",
            name="subdivision",
            field=models.CharField(
                blank=True,
                help_text="Only for branches in this subdivision of the country, e.g. BY for Bavaria. Empty: the whole country.",
                max_length=40,
                verbose_name="subdivision",
            ),
        ),
        migrations.RunPython(mark_seeded_rows_imported, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="publicholiday",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source", "imported")),
                fields=("country", "subdivision", "date"),
                name="holiday_imported_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="publicholiday",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("source", "imported"), _negated=True),
                    models.Q(("branch__isnull", True), models.Q(("country", ""), _negated=True)),
                    _connector="OR",
                ),
                name="holiday_imported_for_a_country",
            ),
        ),
        migrations.AddConstraint(
            model_name="publicholiday",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("subdivision", ""), models.Q(("country", ""), _negated=True), _connector="OR"
                ),
                name="holiday_subdivision_of_a_country",
                violation_error_message="A subdivision needs its country.",
            ),
        ),
    ]
