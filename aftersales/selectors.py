from django.db.models import Count, Prefetch, Q

from aftersales.models import Branch, Notification, User
from aftersales.search import Folded, fold

BRANCH_ORDERINGS = {
    "name": "name",
    "-name": "-name",
    "code": "code",
    "-code": "-code",
    "city": "city",
    "-city": "-city",
    "members": "member_count",
    "-members": "-member_count",
}
USER_ORDERINGS = {
    "username": "username",
    "-username": "-username",
    "name": "last_name",
    "-name": "-last_name",
    "last_login": "last_login",
    "-last_login": "-last_login",
}


def branches_visible_to(user, *, search="", active=None, ordering="name"):
    branches = Branch.objects.visible_to(user).annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True)
    )
    if search:
        term = fold(search)
        branches = branches.annotate(folded_name=Folded("name"), folded_city=Folded("city")).filter(
            Q(folded_name__contains=term)
            | Q(code__icontains=search)
            | Q(folded_city__contains=term)
        )
    if active is not None:
        branches = branches.filter(is_active=active)
    return branches.order_by(BRANCH_ORDERINGS.get(ordering, "name"), "pk")


def users_for_administration(*, search="", role="", branch=None, active=None, ordering="username"):
    users = User.objects.prefetch_related(
        "groups", Prefetch("branches", Branch.objects.order_by("name"))
    )
    if search:
        term = fold(search)
        users = users.annotate(
            folded_first_name=Folded("first_name"), folded_last_name=Folded("last_name")
        ).filter(
            Q(username__icontains=search)
            | Q(folded_first_name__contains=term)
            | Q(folded_last_name__contains=term)
            | Q(email__icontains=search)
        )
    if role:
        users = users.filter(groups__name=role)
    if branch:
        users = users.filter(branches=branch)
    if active is not None:
        users = users.filter(is_active=active)
    return users.distinct().order_by(USER_ORDERINGS.get(ordering, "username"), "pk")


def team_of(user):
    """Colleagues in the branches this user may see, for managers' team overview."""
    branches = Branch.objects.visible_to(user)
    return (
        User.objects.filter(is_active=True, branches__in=branches)
        .prefetch_related("groups", Prefetch("branches", branches.order_by("name")))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def notifications_for(user, *, unread_only=False):
    notifications = Notification.objects.filter(recipient=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-pk")


def unread_notification_count(user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
