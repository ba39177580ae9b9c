"""Create one group per role with its permissions (aftersales.roles.ROLE_PERMISSIONS)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("aftersales", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
