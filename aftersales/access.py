"""The access layer: who sees which branch's data.

Every branch-bound model's queryset derives from BranchScopedQuerySet and names the lookup to its
branch; UI, API and exports all call `.visible_to(user)`, so the rule lives here only.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.errors import DomainError
from aftersales.roles import STAFF_ROLES


def sees_all_branches(user):
    return user.is_authenticated and user.is_active and user.is_administrator


def visible_branch_ids(user):
    """Ids of the branches whose data the user may see (cached on the user for the request)."""
    if not hasattr(user, "_visible_branch_ids"):
        if not user.is_authenticated or not user.is_active:
            user._visible_branch_ids = frozenset()
        else:
            user._visible_branch_ids = frozenset(user.branches.values_list("pk", flat=True))
    return user._visible_branch_ids


def works_in(user, branch_id):
    """Whether the user may act in the branch: administrators everywhere, others in their own."""
    return sees_all_branches(user) or branch_id in visible_branch_ids(user)


def require_branch(user, branch_id, *, message=None, field=None):
    """Refuse, with a domain error, an operation in a branch the user does not work in."""
    if not works_in(user, branch_id):
        raise DomainError(message or _("This belongs to a branch you do not work in."), field=field)


def require_perm(user, permission, message):
    """Refuse an operation the user lacks the permission for; `user` None is the system (a
    management command such as a seeder)."""
    if user is not None and not user.has_perm(permission):
        raise DomainError(message)


def sole_branch(branches):
    """The branch to preselect among a user's branch choices: the only active one, else None
    (the browser's forms and the API's branch fields alike)."""
    first_two = list(branches.filter(is_active=True)[:2])
    return first_two[0] if len(first_two) == 1 else None


def is_staff_member(user):
    """Internal staff (every role but the external mystery shoppers)."""
    return user.is_authenticated and (user.is_superuser or user.has_role(*STAFF_ROLES))


class BranchScopedQuerySet(models.QuerySet):
    branch_lookup = "branch"

    def visible_to(self, user):
        if sees_all_branches(user):
            return self.all()
        if not is_staff_member(user):
            return self.none()
        return self.filter(**{f"{self.branch_lookup}__in": visible_branch_ids(user)})
