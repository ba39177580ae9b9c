"""Re-planning: a playbook's steps planned for the purchases that exist already, as a background
job (aftersales.jobs) started from the playbook's page after a change.

A purchase gets what `plan_followups_for_many` gives a new one: the steps it has no follow-up
for yet whose date is not so far past that it would count as missed (a planned follow-up is
never planned twice: the (purchase, step) constraint). The purchases are those of the playbook's
category, or of the categories it stands in for (a fallback by involvement), handed over or
out of warranty recently enough for a step to be due; they are planned in batches, each in a
transaction of its own. A worker killed mid-way leaves the batches done so far; the requeue tick
runs the job again from the start, and the batches done find nothing more to plan.
"""

from datetime import timedelta

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales import jobs
from aftersales.errors import DomainError
from aftersales.models import Job
from aftersales.services import notify
from customers.models import ProductCategory, Purchase
from followups import services
from followups.models import FollowUp, Playbook

REPLAN = "followups.replan"
REPLAN_TASK = "followups.tasks.run_replanning"
BATCH = 2000
# A step's date is looked for this far past (the longest "missed after" a branch may set).
LONGEST_MISSED_AFTER = timedelta(days=366)


def start_replanning(*, by, playbook):
    if not by.has_perm("followups.change_playbook"):
        raise DomainError(_("Only administrators edit playbooks."))
    return jobs.start_job(
        kind=REPLAN,
        task_name=REPLAN_TASK,
        by=by,
        params={
            "playbook": playbook.pk,
            "title": _("Planning %(playbook)s for existing purchases") % {"playbook": playbook},
            "back_url": reverse("followups:playbook-detail", args=[playbook.pk]),
            "back_label": str(playbook),
        },
    )


def purchases_of(playbook, today=None):
    """The purchases whose follow-ups this playbook plans and for which a step may be due."""
    today = today or timezone.localdate()
    if playbook.category_id:
        categories = Q(main_category=playbook.category_id)
    else:
        with_own = Playbook.objects.filter(category__isnull=False, is_active=True).values(
            "category"
        )
        categories = Q(
            main_category__in=ProductCategory.objects.filter(
                involvement=playbook.involvement
            ).exclude(pk__in=with_own)
        )
    longest = playbook.steps.aggregate(longest=Max("offset_days"))["longest"] or 0
    since = today - timedelta(days=longest) - LONGEST_MISSED_AFTER
    return (
        Purchase.objects.filter(categories, handover_date__isnull=False)
        .exclude(status=Purchase.Status.CANCELLED)
        .filter(Q(handover_date__gte=since) | Q(warranty_end__gte=since))
    )


def run_replanning(job_id):
    """The task's body; returns the job's final state (None: not for us to run)."""
    job = jobs.claim(job_id)
    if job is None:
        return None
    by = job.started_by
    with translation.override(jobs.language_of(by)):
        playbook = Playbook.objects.filter(pk=job.params["playbook"]).first()
        if playbook is None:
            jobs.fail(job, error=_("The playbook no longer exists."))
            return Job.FAILED
        purchases = purchases_of(playbook)
        progress = jobs.Progress(job, total=purchases.count())
        planned, done, after = 0, 0, 0
        try:
            while True:
                batch = list(
                    purchases.filter(pk__gt=after)
                    .select_related("main_category", "branch")
                    .order_by("pk")[:BATCH]
                )
                if not batch:
                    break
                # Counted, not taken from the planner: a conflict it ignored is no new row.
                planned_so_far = FollowUp.objects.filter(purchase__in=batch)
                before = planned_so_far.count()
                services.plan_followups_for_many(purchases=batch)
                planned += planned_so_far.count() - before
                done += len(batch)
                after = batch[-1].pk
                progress(done)
        finally:
            progress.close()
        jobs.finish(
            job,
            result={
                "planned": planned,
                "outcome": ngettext(
                    "%(count)d follow-up planned for %(purchases)d purchases.",
                    "%(count)d follow-ups planned for %(purchases)d purchases.",
                    planned,
                )
                % {"count": planned, "purchases": done},
            },
        )
        notify(
            recipient=by,
            kind="replan_job",
            subject=_("The playbook has been planned for existing purchases."),
            link=reverse("job", args=[job.pk]),
            dedupe_key=f"replan_job:{job.pk}",
            email=False,
        )
    return Job.DONE
