"""Writes of the staff app that concern people: appointments, training records, coaching.

Mystery shopping lives in mystery_services, hiring in hiring_services; both open coaching
actions through `open_coaching_action` here."""

import logging
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales import services as core
from aftersales.errors import DomainError
from aftersales.roles import Role
from staff.models import CoachingAction

logger = logging.getLogger(__name__)

COACHING_DUE_DAYS = 14
STAFF_ATTENTION_CATEGORY = "staff-attention"


def branch_managers(branch, *, besides=None):
    """The active managers of a branch (the administrators when it has none), by name."""
    users = get_user_model().objects.filter(is_active=True)
    if besides is not None:
        users = users.exclude(pk=besides.pk)
    managers = list(
        users.filter(branches=branch, groups__name=Role.MANAGER).order_by(
            "last_name", "first_name", "pk"
        )
    )
    return managers or list(
        users.filter(groups__name=Role.ADMIN).distinct().order_by("last_name", "first_name", "pk")
    )


def open_coaching_action(
    *,
    employee,
    branch,
    source,
    goal,
    by=None,
    due_on=None,
    measures="",
    course=None,
    coach=None,
    mystery_shop_result=None,
    complaint=None,
):
    """Open a coaching action for `employee` and tell the branch's managers.

    A result or complaint opens one action however often it is processed: a second call returns
    None (unique constraints) and notifies nobody.
    """
    managers = branch_managers(branch, besides=employee)
    action = CoachingAction(
        employee=employee,
        branch=branch,
        coach=coach or (managers[0] if managers else None),
        source=source,
        goal=goal,
        measures=measures,
        course=course,
        due_on=due_on or timezone.localdate() + timedelta(days=COACHING_DUE_DAYS),
        mystery_shop_result=mystery_shop_result,
        complaint=complaint,
        created_by=by,
    )
    action.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError:
        if mystery_shop_result is not None or complaint is not None:
            return None
        raise
    for manager in managers:
        with translation.override(manager.language):
            core.notify(
                recipient=manager,
                kind="coaching_opened",
                subject=_("Coaching for %(employee)s: %(source)s")
                % {"employee": employee, "source": action.get_source_display()},
                body=goal,
                link=action.get_absolute_url(),
                dedupe_key=f"coaching-opened-{action.pk}-{manager.pk}",
            )
    return action


@transaction.atomic
def open_coaching_for_complaint(*, complaint):
    """A complaint about staff attention opens coaching for the salesperson it names."""
    category = complaint.category
    codes = {category.code, category.parent.code if category.parent_id else None}
    employee = complaint.responsible_salesperson
    if STAFF_ATTENTION_CATEGORY not in codes or employee is None:
        return None
    with translation.override(employee.language):
        goal = _("The customer felt you had no time for them (complaint %(number)s): %(words)s") % {
            "number": complaint.pk,
            "words": complaint.description[:500],
        }
    return open_coaching_action(
        employee=employee,
        branch=complaint.branch,
        source=CoachingAction.Source.COMPLAINT,
        goal=goal,
        complaint=complaint,
        by=complaint.created_by,
    )


def require_coach(user, action):
    if not user.has_perm("staff.change_coachingaction"):
        raise DomainError(_("You may not change coaching actions."))
    if not type(action).objects.visible_to(user).filter(pk=action.pk).exists():
        raise DomainError(_("This belongs to a branch you do not work in."))
