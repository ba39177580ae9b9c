"""Used by the data migrations that give each role group its permissions."""

from django.contrib.auth.management import create_permissions


def grant_role_permissions(apps, role_permissions):
    """Give each role group (created if missing) the permissions named "app_label.codename"."""
    # Permissions are normally created after all migrations ran; the groups need them now.
    for app_config in apps.get_app_configs():
        if getattr(app_config, "models_module", None) is None:
            # A migration state's app: create_permissions skips apps without a models module.
            app_config.models_module = True
            create_permissions(app_config, verbosity=0, apps=apps)
            app_config.models_module = None
        else:
            create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in role_permissions.items():
        group, _created = Group.objects.get_or_create(name=role)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
