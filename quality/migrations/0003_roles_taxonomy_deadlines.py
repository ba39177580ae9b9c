"""Role permissions for complaints and dissonance, the demo complaint taxonomy, default deadlines."""

from django.db import migrations

from aftersales.migration_helpers import grant_role_permissions

WORK_COMPLAINTS = [
    "quality.view_complaint",
    "quality.add_complaint",
    "quality.change_complaint",
    "quality.view_dissonancescore",
    "quality.view_dissonancesignal",
]
ROLE_PERMISSIONS = {
    "admin": [
        *WORK_COMPLAINTS,
        "quality.view_dissonance_dashboard",
        "quality.view_complaintcategory",
        "quality.add_complaintcategory",
        "quality.change_complaintcategory",
        "quality.view_severitydeadline",
        "quality.change_severitydeadline",
    ],
    "manager": [*WORK_COMPLAINTS, "quality.view_dissonance_dashboard"],
    "quality": [*WORK_COMPLAINTS, "quality.view_dissonance_dashboard"],
    "service": WORK_COMPLAINTS,
    # Sales staff see the complaints and scores of their own customers (scoped in selectors).
    "sales": ["quality.view_complaint", "quality.view_dissonancescore"],
}

TAXONOMY = [
    ("noise", "Noise", ["wind:Wind noise", "fan:Fan noise", "rattle:Rattle", "creak:Creak"]),
    ("paint", "Paint and finish", []),
    ("function", "Function", []),
    ("handover", "Delivery and handover", []),
    ("staff-attention", "Staff attention", []),
    ("waiting-time", "Waiting time", []),
    ("invoice", "Invoice", []),
    ("other", "Other", []),
]
# severity: (acknowledge within working hours, resolve within working days)
DEADLINES = {"critical": (4, 2), "high": (4, 5), "medium": (4, 10), "low": (4, 20)}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)
    Category = apps.get_model("quality", "ComplaintCategory")
    for code, name, children in TAXONOMY:
        parent, _created = Category.objects.get_or_create(code=code, defaults={"name": name})
        for child in children:
            child_code, child_name = child.split(":")
            Category.objects.get_or_create(
                code=f"{code}-{child_code}", defaults={"name": child_name, "parent": parent}
            )
    Deadline = apps.get_model("quality", "SeverityDeadline")
    for severity, (hours, days) in DEADLINES.items():
        Deadline.objects.get_or_create(
            severity=severity, defaults={"acknowledge_hours": hours, "resolve_days": days}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0002_dashboard_permission"),
        ("followups", "0002_role_permissions"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
