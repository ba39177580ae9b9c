"""Loading the signed-in user of a request with what every page and endpoint asks about them.

Every request needs the user's roles (the navigation, the access rules), the ids of their
branches (every scoped queryset) and their permissions (every view's permission check). Asked one
by one that is four queries on top of the user's own; here they come with the user as array
subqueries of the one query that loads them (the session's user, or the API token with its
user), and are put where the readers look: `User.role_names`, `access.visible_branch_ids` and
Django's ModelBackend permission caches.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import CharField, OuterRef, Value
from django.db.models.functions import Concat

from aftersales.models import Branch
from aftersales.prepared import PreparedLookup


def _permission_names(permissions):
    return permissions.annotate(
        full_name=Concat(
            "content_type__app_label", Value("."), "codename", output_field=CharField()
        )
    ).values("full_name")


def access_annotations(user_ref="pk"):
    """The annotations that load the access of the user `user_ref` points to."""
    user = OuterRef(user_ref)
    return {
        "access_roles": ArraySubquery(Group.objects.filter(user=user).values("name")),
        "access_branches": ArraySubquery(Branch.objects.filter(members=user).values("pk")),
        "access_user_permissions": ArraySubquery(
            _permission_names(Permission.objects.filter(user=user))
        ),
        "access_group_permissions": ArraySubquery(
            _permission_names(Permission.objects.filter(group__user=user))
        ),
    }


def prime(user, loaded):
    """Fill the user's per-request caches from a row annotated with access_annotations()."""
    user._role_names = frozenset(loaded.access_roles)
    user._visible_branch_ids = frozenset(loaded.access_branches) if user.is_active else frozenset()
    if user.is_active and not user.is_superuser:
        # ModelBackend's own cache attributes (a superuser's are every permission: left to it).
        user._user_perm_cache = set(loaded.access_user_permissions)
        user._group_perm_cache = set(loaded.access_group_permissions)
        user._perm_cache = user._user_perm_cache | user._group_perm_cache
    return user


# Every page's user (compiled once and prepared, as the API's token: aftersales.prepared).
_user_with_access = PreparedLookup(
    lambda user_id: (
        get_user_model()._default_manager.annotate(**access_annotations()).filter(pk=user_id)
    ),
    placeholder=-(2**62),
)


class AccessLoadingBackend(ModelBackend):
    """Django's model backend, loading a session's user together with their access."""

    def get_user(self, user_id):
        user = _user_with_access.get(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        return prime(user, user)
