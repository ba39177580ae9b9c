"""Create one group per role with its organisation permissions."""

from django.db import migrations

from aftersales.migration_helpers import grant_role_permissions

ROLE_PERMISSIONS = {
    "admin": [
        "aftersales.view_branch",
        "aftersales.add_branch",
        "aftersales.change_branch",
        "aftersales.view_user",
        "aftersales.add_user",
        "aftersales.change_user",
        "aftersales.manage_organisation",
    ],
    "manager": ["aftersales.view_branch", "aftersales.view_team"],
    "sales": ["aftersales.view_branch"],
    "service": ["aftersales.view_branch"],
    "quality": ["aftersales.view_branch"],
    "mystery_shopper": [],
}


def create_role_groups(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("aftersales", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
