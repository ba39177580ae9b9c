"""Role permissions for staff assessment (issue 6). Scoping to branches and to the shopper's own
assignments lives in the querysets and selectors; these say what each role may do at all."""

from django.db import migrations

from aftersales.migration_helpers import grant_role_permissions


def crud(model, *actions):
    return [f"staff.{action}_{model}" for action in actions]


SCORECARDS = ["staff.view_branch_scorecards"]
RUN_MYSTERY_SHOPPING = [
    *crud("scorecardtemplate", "view", "add", "change"),
    *crud("mysteryshopassignment", "view", "add", "change"),
    *crud("mysteryshopresult", "view"),
    "staff.review_mysteryshopresult",
]
MANAGE_COURSES = [
    *crud("course", "view", "add", "change"),
    *crud("requiredcourse", "view", "add", "change", "delete"),
]
LEAD_PEOPLE = [
    *crud("appointment", "view", "add", "change"),
    *crud("trainingrecord", "view", "add", "change", "delete"),
    *crud("coachingaction", "view", "add", "change"),
]
HIRE = [
    *crud("candidate", "view", "add", "change", "delete"),
    *crud("candidateassessment", "view", "add", "change"),
]
ROLE_PERMISSIONS = {
    "admin": [
        *RUN_MYSTERY_SHOPPING,
        *MANAGE_COURSES,
        *LEAD_PEOPLE,
        *HIRE,
        *SCORECARDS,
        *crud("staffpolicy", "view", "add", "change"),
    ],
    "quality": [
        *RUN_MYSTERY_SHOPPING,
        *MANAGE_COURSES,
        *SCORECARDS,
        *crud("appointment", "view"),
        *crud("trainingrecord", "view"),
        *crud("coachingaction", "view", "add", "change"),
    ],
    "manager": [
        *crud("scorecardtemplate", "view"),
        *crud("mysteryshopassignment", "view"),
        *crud("mysteryshopresult", "view"),
        *crud("course", "view"),
        *LEAD_PEOPLE,
        *HIRE,
        *SCORECARDS,
    ],
    # Customer-facing staff keep their own appointments and see their own training and coaching.
    "sales": [
        *crud("appointment", "view", "add", "change"),
        *crud("course", "view"),
        *crud("trainingrecord", "view"),
        *crud("coachingaction", "view"),
    ],
    "service": [
        *crud("appointment", "view", "add", "change"),
        *crud("course", "view"),
        *crud("trainingrecord", "view"),
        *crud("coachingaction", "view"),
    ],
    # Their own assignments and results only (AssignmentQuerySet / ResultQuerySet.visible_to).
    "mystery_shopper": [
        *crud("mysteryshopassignment", "view"),
        *crud("mysteryshopresult", "view", "add", "change"),
    ],
}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("aftersales", "0005_admin_sees_team"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
