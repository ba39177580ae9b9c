"""Administrators see the team overview of every branch too."""

from django.db import migrations

from aftersales.migration_helpers import grant_role_permissions

ROLE_PERMISSIONS = {"admin": ["aftersales.view_team"]}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("aftersales", "0004_email_outbox")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
