"""What each role may do with follow-ups, playbooks and surveys."""

from django.db import migrations

from aftersales.migration_helpers import grant_role_permissions

READ = [
    "followups.view_followup",
    "followups.view_playbook",
    "followups.view_surveyresponse",
]
WORK = [*READ, "followups.change_followup"]
ROLE_PERMISSIONS = {
    "admin": [
        *WORK,
        "followups.add_followup",
        "followups.view_team_followups",
        "followups.add_playbook",
        "followups.change_playbook",
        "followups.view_branchpolicy",
        "followups.change_branchpolicy",
    ],
    "manager": [*WORK, "followups.add_followup", "followups.view_team_followups"],
    "sales": WORK,
    "service": WORK,
    "quality": READ,
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("followups", "0001_initial"), ("customers", "0002_role_permissions")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
