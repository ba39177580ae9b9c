"""Administrators keep the public holidays in the admin: a branch's own closing days, or a
holiday for a whole country or subdivision (the imported ones they only look at)."""

from django.db import migrations

from aftersales.migration_helpers import grant_role_permissions

ROLE_PERMISSIONS = {
    "admin": [
        "followups.view_publicholiday",
        "followups.add_publicholiday",
        "followups.change_publicholiday",
        "followups.delete_publicholiday",
    ]
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("followups", "0004_public_holiday_source")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
