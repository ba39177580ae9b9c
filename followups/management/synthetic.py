"""Synthetic follow-ups for the benchmarks (staff's benchmark_pages), as a year of real use
leaves them: every step of its category's playbook for each synthetic car (customers.
management.synthetic) handed over within the last year, planned from the handover as the
planner plans them (without moving them off weekends and holidays). A step due more than
OPEN_DAYS ago is done, one in ten of those missed; the rest are open. Each branch's follow-ups
go to one salesperson of the branch (else its manager), so that the demo `sales` login's inbox
holds its branch's share. One INSERT … SELECT, as for the car buyers.

The survey steps that were done sent a survey invitation (`add_surveys`); about a third of them
were answered, with the spread of answers a dealer sees (mostly promoters, one in ten a
detractor).
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from aftersales.roles import Role
from customers.management.synthetic import fixed, insert_select
from followups.models import FollowUp, StepKind, SurveyInvitation, SurveyResponse

# A follow-up due at most this many days ago is still open (the inbox's overdue section).
OPEN_DAYS = 14
YEAR = timedelta(days=365)


def _assignees():
    """{branch id: user id}: a salesperson of each branch, else a manager (in SQL, a CASE)."""
    chosen = {}
    for role in (Role.MANAGER, Role.SALES):  # sales last, so a salesperson wins
        users = get_user_model().objects.filter(is_active=True, groups__name=role).order_by("pk")
        for user_id, branch_id in users.values_list("pk", "branches"):
            if branch_id is not None:
                chosen[branch_id] = user_id
    return chosen


@transaction.atomic
def add_followups(*, since_customer_id):
    """The follow-ups of the synthetic cars of customers with an id above `since_customer_id`;
    returns how many were written."""
    today = timezone.localdate()
    assignees = _assignees()
    assignee = (
        "CASE p.branch_id "
        + " ".join(f"WHEN {int(b)} THEN {int(u)}" for b, u in assignees.items())
        + " END"
        if assignees
        else "NULL"
    )
    due = "p.handover_date + s.offset_days"
    done = f"{due} < %s::date - {OPEN_DAYS}"
    missed = f"{done} AND (p.id + s.id) %% 10 = 0"
    with connection.cursor() as cursor:
        return insert_select(
            cursor,
            FollowUp,
            "customers_purchase p "
            "JOIN customers_customer c ON c.id = p.customer_id "
            "JOIN followups_playbook b ON b.category_id = p.main_category_id AND b.is_active "
            "JOIN followups_playbookstep s ON s.playbook_id = b.id "
            f"WHERE c.id > {int(since_customer_id)} AND p.external_ref LIKE 'BENCH-CAR-%%' "
            f"AND p.handover_date >= DATE '{(today - YEAR).isoformat()}'",
            {
                "purchase": fixed("p.id"),
                "customer": fixed("p.customer_id"),
                "branch": fixed("p.branch_id"),
                "step": fixed("s.id"),
                "kind": fixed("s.kind"),
                "channel": fixed("s.channel"),
                "purpose": fixed("s.purpose"),
                "title": fixed("s.title_en"),
                "title_de": fixed("s.title_de"),
                "title_en": fixed("s.title_en"),
                "instructions": fixed("s.instructions_en"),
                "instructions_de": fixed("s.instructions_de"),
                "instructions_en": fixed("s.instructions_en"),
                "assignee_role": fixed("s.assignee_role"),
                "assignee": fixed(assignee),
                "planned_date": fixed(due),
                "due_date": fixed(due),
                "status": (
                    f"CASE WHEN {missed} THEN %s WHEN {done} THEN %s ELSE %s END",
                    [
                        today,
                        FollowUp.Status.MISSED,
                        today,
                        FollowUp.Status.DONE,
                        FollowUp.Status.OPEN,
                    ],
                ),
                "completed_at": (
                    f"CASE WHEN {done} AND NOT ({missed}) THEN ({due} + 1)::timestamptz END",
                    [today, today],
                ),
                "missed_at": (f"CASE WHEN {missed} THEN ({due} + 15)::timestamptz END", [today]),
                "created_at": fixed("now()"),
                "updated_at": fixed("now()"),
            },
        )


# Of the answers (one invitation in three), NPS by the invitation's id (mod 10): a detractor,
# two passives, seven promoters.
NPS = "CASE i.id %% 10 WHEN 0 THEN 4 WHEN 1 THEN 7 WHEN 2 THEN 8 WHEN 3 THEN 9 ELSE 10 END"


@transaction.atomic
def add_surveys(*, since_customer_id):
    """The survey invitations of the synthetic survey steps that were done, and the answers;
    returns (invitations, answers) written."""
    with connection.cursor() as cursor:
        invitations = insert_select(
            cursor,
            SurveyInvitation,
            "followups_followup f "
            f"WHERE f.customer_id > {int(since_customer_id)} AND f.status = 'done' "
            f"AND f.kind = '{StepKind.SURVEY}' AND f.purchase_id IS NOT NULL",
            {
                "followup": fixed("f.id"),
                "customer": fixed("f.customer_id"),
                "purchase": fixed("f.purchase_id"),
                "branch": fixed("f.branch_id"),
                "sent_at": fixed("f.completed_at"),
                "expires_at": fixed("f.completed_at + interval '14 days'"),
                "answered_at": fixed(
                    "CASE WHEN f.id %% 3 = 0 THEN f.completed_at + interval '2 days' END"
                ),
            },
        )
        answers = insert_select(
            cursor,
            SurveyResponse,
            "followups_surveyinvitation i "
            f"WHERE i.customer_id > {int(since_customer_id)} AND i.answered_at IS NOT NULL",
            {
                "invitation": fixed("i.id"),
                "nps": fixed(NPS),
                "satisfaction_purchase": fixed(f"CASE WHEN {NPS} < 7 THEN 2 ELSE 5 END"),
                "satisfaction_handover": fixed(f"CASE WHEN {NPS} < 7 THEN 3 ELSE 4 END"),
                "created_at": fixed("i.answered_at"),
            },
        )
    return invitations, answers
