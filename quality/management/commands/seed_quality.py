"""Complaints, dissonance signals, survey answers, scores and recovery calls for the customers
that `seed_demo` made, in proportion, for load tests of the dissonance dashboard.

    manage.py seed_demo --customers 100000
    manage.py seed_quality

About 8 % of the customers get 1–3 signals from follow-ups (a concern raised, not reached,
a missed call), about 5 % 1–2 complaints (with their deadlines, workflow events and signals:
repeated complaints, unsatisfied resolutions, reopenings), about 15 % answer a survey (the low
answers are signals too). Scores are computed with `quality.scoring` exactly as
`rescore_customer` does, in Python, and bulk-inserted with their reasons; customers at high or
critical level get their recovery call. Everything is bulk-inserted: the services would cost a
dozen queries per signal, fine for a demo but not for a hundred thousand customers.

Each customer's data comes from a random generator seeded with the customer's id, and
customers that already have a complaint, a signal or a survey invitation are left alone. So a
second run adds nothing, and a run after another `seed_demo --customers N` seeds just the new
customers. It refuses to run with DEBUG off (a production database) unless --force is given.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from aftersales.models import Branch, User
from aftersales.roles import Role
from aftersales.seeding import explicit_timestamps
from customers.models import Customer, Purchase
from followups.calendar import WorkingCalendar
from followups.models import (
    AssigneeRole,
    ContactChannel,
    FollowUp,
    Purpose,
    StepKind,
    SurveyInvitation,
    SurveyResponse,
)
from quality import scoring, services
from quality import texts as quality_texts
from quality.models import (
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    DissonanceScore,
    DissonanceSignal,
    Nature,
    Severity,
)

SEED = 20240605
INSERT_ROWS = 1000
Kind = DissonanceSignal.Kind
Status = Complaint.Status

# Subjective doubt is as common as objective defects after a car purchase (docs/domain.md,
# "Cognitive dissonance").
CATEGORY_WEIGHTS = {
    "noise-wind": 14,
    "noise-rattle": 10,
    "noise-creak": 6,
    "noise-fan": 5,
    "paint": 10,
    "function": 16,
    "handover": 9,
    "staff-attention": 9,
    "waiting-time": 8,
    "invoice": 8,
    "other": 5,
}
SUBJECTIVE_CATEGORIES = {"noise-wind", "noise-creak", "noise-fan", "staff-attention"}
CHANNELS = [(Complaint.Channel.COUNTER, 35), (Complaint.Channel.PHONE, 40)]
CHANNELS += [(Complaint.Channel.EMAIL, 20), (Complaint.Channel.ONLINE, 5)]
SEVERITIES = [(Severity.LOW, 30), (Severity.MEDIUM, 45), (Severity.HIGH, 19)]
SEVERITIES += [(Severity.CRITICAL, 6)]
WORDS = {
    "noise-wind": "Above 120 km/h there is a whistling at the driver's door.",
    "noise-rattle": "Something rattles in the dashboard on cobblestones.",
    "noise-creak": "The seat creaks whenever I get in.",
    "noise-fan": "The fan is loud even at the lowest setting.",
    "paint": "A scratch on the tailgate that was not there at the handover.",
    "function": "The navigation system restarts while driving.",
    "handover": "Nobody explained the assistance systems at the handover.",
    "staff-attention": "The salesman had no time for my questions after I signed.",
    "waiting-time": "I waited an hour at the service desk although I had an appointment.",
    "invoice": "The invoice shows work that was not done.",
    "other": "I am unhappy with how this was handled.",
}
CONCERNS = (
    "wind noise at motorway speed",
    "a rattle from the rear",
    "the tyres seem worn already",
    "the app does not connect",
    "the consumption is higher than promised",
    "doubts whether the trade-in price was fair",
)
FOLLOWUP_TITLES = ("Thank-you call", "Check-in after a week", "Check-in after a month")
SIGNAL_KINDS = [(Kind.FOLLOWUP_CONCERN, 55), (Kind.NOT_REACHED, 25), (Kind.MISSED_FOLLOWUP, 20)]


def weighted(rng, pairs):
    return rng.choices([value for value, _weight in pairs], [w for _value, w in pairs])[0]


@dataclass
class CustomerData:
    customer: Customer
    purchases: list
    complaints: list = field(default_factory=list)
    events: list = field(default_factory=list)
    invitations: list = field(default_factory=list)
    responses: list = field(default_factory=list)
    signals: list = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Bulk-create complaints, dissonance signals, survey answers, scores and recovery calls "
        "in proportion to the customers (for the dashboard's load tests). Development only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--signals", type=float, default=0.08, help="Share of customers with 1–3 signals."
        )
        parser.add_argument(
            "--complaints", type=float, default=0.05, help="Share of customers who complain."
        )
        parser.add_argument(
            "--surveys", type=float, default=0.15, help="Share of customers who answer a survey."
        )
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Seeded customers per transaction."
        )
        parser.add_argument("--seed", type=int, default=SEED, help="Random seed.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off. Never in production.",
        )

    def handle(self, *args, signals, complaints, surveys, batch_size, seed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demo data is for development only; refusing to run with DEBUG off "
                "(use --force to override)."
            )
        for name, share in (("signals", signals), ("complaints", complaints), ("surveys", surveys)):
            if not 0 <= share <= 1:
                raise CommandError(f"--{name} must be between 0 and 1.")
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        categories = {
            category.code: category
            for category in ComplaintCategory.objects.filter(code__in=CATEGORY_WEIGHTS)
        }
        if not categories:
            raise CommandError("The complaint categories are missing: run `manage.py migrate`.")
        self.categories = [
            (categories[code], weight)
            for code, weight in CATEGORY_WEIGHTS.items()
            if code in categories
        ]
        self.shares = {"signals": signals, "complaints": complaints, "surveys": surveys}
        self.seed = seed
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.branches = {branch.pk: branch for branch in Branch.objects.all()}
        self.managers = {}
        for manager in User.objects.filter(groups__name=Role.MANAGER, is_active=True).order_by(
            "username"
        ):
            for branch_id in manager.branches.values_list("pk", flat=True):
                self.managers.setdefault(branch_id, manager)
        self.calendars = {}

        started = time.monotonic()
        chosen = self._choose_customers()
        self.stdout.write(f"Seeding quality data for {len(chosen):,} customers...")
        totals = dict.fromkeys(["complaints", "signals", "surveys", "scores", "recovery"], 0)
        with explicit_timestamps(Complaint, SurveyResponse):
            for start in range(0, len(chosen), batch_size):
                with transaction.atomic():
                    counts = self._seed_batch(chosen[start : start + batch_size])
                for key, value in counts.items():
                    totals[key] += value
                self.stdout.write(
                    f"  {min(start + batch_size, len(chosen)):,} / {len(chosen):,} customers "
                    f"({time.monotonic() - started:.1f} s)"
                )
        models = [Complaint, ComplaintEvent, DissonanceSignal, DissonanceScore]
        models += [SurveyInvitation, SurveyResponse, FollowUp]
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
        self.stdout.write(
            self.style.SUCCESS(
                "Created {complaints:,} complaints, {signals:,} signals, {surveys:,} survey "
                "answers, {scores:,} scores and {recovery:,} recovery calls".format(**totals)
                + f" in {time.monotonic() - started:.1f} s."
            )
        )

    # --- who gets what ---

    def _rng(self, customer_id):
        # Seeded per customer for reproducible demo data, not for security.
        return random.Random(f"{self.seed}:{customer_id}")  # noqa: S311

    def _choose_customers(self):
        """Ids of the customers to seed: untouched ones whose dice say so."""
        untouched = (
            Customer.objects.active()
            .filter(Exists(Purchase.objects.filter(customer=OuterRef("pk"))))
            .exclude(Exists(DissonanceSignal.objects.filter(customer=OuterRef("pk"))))
            .exclude(Exists(Complaint.objects.filter(customer=OuterRef("pk"))))
            .exclude(Exists(SurveyInvitation.objects.filter(customer=OuterRef("pk"))))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        chosen = []
        for customer_id in untouched.iterator(chunk_size=5000):
            rolls = self._rng(customer_id)
            if any(rolls.random() < share for share in self.shares.values()):
                chosen.append(customer_id)
        return chosen

    def _seed_batch(self, customer_ids):
        customers = Customer.objects.select_related("branch").in_bulk(customer_ids)
        purchases = {}
        for purchase in (
            Purchase.objects.filter(customer_id__in=customer_ids)
            .exclude(status=Purchase.Status.CANCELLED)
            .select_related("main_category", "branch")
            .order_by("purchase_date", "pk")
        ):
            # Doubt needs a purchase in the customer's hands (or at least signed) before today.
            if (purchase.handover_date or purchase.purchase_date) < self.today:
                purchases.setdefault(purchase.customer_id, []).append(purchase)
        batch = []
        for customer_id in customer_ids:
            if not purchases.get(customer_id):
                continue
            data = CustomerData(customers[customer_id], purchases[customer_id])
            rng = self._rng(customer_id)
            wants = {name: rng.random() < share for name, share in self.shares.items()}
            if wants["complaints"]:
                self._complaints(rng, data)
            if wants["surveys"]:
                self._survey(rng, data)
            if wants["signals"]:
                self._followup_signals(rng, data)
            batch.append(data)
        return self._insert(batch)

    # --- what happened ---

    def _moment_after(self, rng, purchase, mean_days=60):
        """When doubt shows: mostly in the first months after handover. None when that is still
        to come (a recent buyer's doubt has not arisen yet), so that every month of the past
        gets its share and the last one no more."""
        start = purchase.handover_date or purchase.purchase_date
        begin = datetime.combine(start, datetime.min.time(), tzinfo=purchase.branch.zone)
        moment = begin + timedelta(days=rng.expovariate(1 / mean_days), hours=rng.randint(8, 18))
        return moment if moment < self.now - timedelta(hours=1) else None

    def _complaints(self, rng, data):
        purchase = rng.choice(data.purchases[-2:])
        for number in range(rng.choices([1, 2], weights=[80, 20])[0]):
            category = weighted(rng, self.categories)
            if category.code in SUBJECTIVE_CATEGORIES:
                nature = weighted(rng, [(Nature.SUBJECTIVE, 75), (Nature.UNKNOWN, 25)])
            else:
                nature = weighted(
                    rng, [(Nature.OBJECTIVE, 70), (Nature.SUBJECTIVE, 10), (Nature.UNKNOWN, 20)]
                )
            severity = weighted(rng, SEVERITIES)
            received = self._moment_after(rng, purchase, mean_days=45 + 60 * number)
            if received is not None and data.complaints:
                # A repeated complaint comes after the first one.
                received = max(received, data.complaints[-1].received_at + timedelta(days=3))
            if received is None or received >= self.now:
                break
            complaint = self._complaint(rng, data, purchase, category, nature, severity, received)
            self._signal(
                data,
                complaint=complaint,
                purchase=purchase,
                kind=Kind.COMPLAINT,
                weight=scoring.complaint_weight(severity, nature),
                occurred_at=received,
                summary=_("Complaint: %(category)s, %(nature)s, %(severity)s")
                % {
                    "category": category.name,
                    "nature": complaint.get_nature_display(),
                    "severity": complaint.get_severity_display(),
                },
                key=f"complaint:{number}",
            )
            if number:
                self._signal(
                    data,
                    complaint=complaint,
                    purchase=purchase,
                    kind=Kind.REPEATED_COMPLAINT,
                    weight=scoring.weights()[Kind.REPEATED_COMPLAINT],
                    occurred_at=received,
                    summary=_("Repeated complaint on the same purchase (%(count)d before)")
                    % {"count": number},
                    summary_params={"count": number},
                    key=f"repeated:{number}",
                )

    def _complaint(self, rng, data, purchase, category, nature, severity, received):
        branch = purchase.branch
        ack_hours, resolve_days = services.deadlines_for(severity)
        product_category_id, salesperson_id = services.dashboard_dimensions(data.customer, purchase)
        complaint = Complaint(
            customer=data.customer,
            purchase=purchase,
            branch=branch,
            product_category_id=product_category_id,
            responsible_salesperson_id=salesperson_id,
            channel=weighted(rng, CHANNELS),
            received_at=received,
            category=category,
            nature=nature,
            severity=severity,
            description=WORDS.get(category.code, WORDS["other"]),
            owner=self.managers.get(branch.pk),
            acknowledge_due_at=services.add_working_hours(branch, received, ack_hours),
            resolve_due_at=services.add_working_days(branch, received, resolve_days),
            created_at=received,
            updated_at=received,
        )
        complaint._history_date = received
        events = [(Status.NEW, received)]
        age = self.now - received
        # Most are acknowledged within the deadline; one in eight late.
        ack_at = received + timedelta(hours=rng.uniform(0.2, 3.5))
        if rng.random() < 0.12:
            ack_at = complaint.acknowledge_due_at + timedelta(hours=rng.uniform(1, 30))
        if ack_at < self.now and age > timedelta(hours=2):
            complaint.status, complaint.acknowledged_at = Status.ACKNOWLEDGED, ack_at
            events.append((Status.ACKNOWLEDGED, ack_at))
            if rng.random() < 0.7:
                started = ack_at + timedelta(hours=rng.uniform(0.5, 24))
                if started < self.now:
                    complaint.status = Status.IN_PROGRESS
                    events.append((Status.IN_PROGRESS, started))
            on_time = complaint.resolve_due_at - received
            resolved_at = received + on_time * rng.uniform(0.2, 0.95)
            if rng.random() < 0.15:
                resolved_at = complaint.resolve_due_at + timedelta(days=rng.uniform(0.5, 10))
            if resolved_at < self.now and rng.random() < 0.97:
                self._resolve(rng, data, complaint, events, resolved_at)
        complaint.updated_at = events[-1][1]
        data.complaints.append(complaint)
        data.events.extend(
            ComplaintEvent(
                complaint=complaint,
                from_status=previous,
                to_status=status,
                at=at,
                by=complaint.owner,
            )
            for (status, at), previous in zip(
                events, ["", *(status for status, _at in events)], strict=False
            )
        )
        return complaint

    def _resolve(self, rng, data, complaint, events, resolved_at):
        complaint.status, complaint.resolved_at = Status.RESOLVED, resolved_at
        complaint.resolution = weighted(
            rng,
            [
                (Complaint.Resolution.REPAIR, 40),
                (Complaint.Resolution.ADJUSTMENT, 20),
                (Complaint.Resolution.EXPLANATION, 20),
                (Complaint.Resolution.GOODWILL, 12),
                (Complaint.Resolution.REPLACEMENT, 5),
                (Complaint.Resolution.NONE, 3),
            ],
        )
        complaint.customer_satisfied = rng.choices([True, None, False], weights=[75, 17, 8])[0]
        events.append((Status.RESOLVED, resolved_at))
        if complaint.customer_satisfied is False:
            # Not satisfied: reopened at once, which is two more signals (as the service does).
            complaint.status, complaint.resolved_at = Status.IN_PROGRESS, None
            complaint.reopened_count = 1
            complaint.resolve_due_at = services.add_working_days(
                complaint.branch, resolved_at, services.deadlines_for(complaint.severity)[1]
            )
            events.append((Status.IN_PROGRESS, resolved_at))
            for kind, summary in (
                (
                    Kind.UNSATISFIED_RESOLUTION,
                    _("Not satisfied with the resolution of: %(category)s"),
                ),
                (Kind.REOPENED_COMPLAINT, _("Complaint reopened: %(category)s")),
            ):
                self._signal(
                    data,
                    complaint=complaint,
                    purchase=complaint.purchase,
                    kind=kind,
                    weight=scoring.weights()[kind],
                    occurred_at=resolved_at,
                    summary=summary % {"category": complaint.category.name},
                    key=f"{kind}:{len(data.complaints)}",
                )
            return
        closed_at = resolved_at + timedelta(days=rng.uniform(1, 10))
        if closed_at < self.now and rng.random() < 0.7:
            complaint.status, complaint.closed_at = Status.CLOSED, closed_at
            events.append((Status.CLOSED, closed_at))

    def _survey(self, rng, data):
        handed_over = [p for p in data.purchases if p.handover_date]
        if not handed_over:
            return
        purchase = rng.choice(handed_over)
        sent = datetime.combine(
            purchase.handover_date + timedelta(days=14),
            datetime.min.time(),
            tzinfo=purchase.branch.zone,
        ) + timedelta(hours=rng.randint(8, 18))
        answered = sent + timedelta(hours=rng.uniform(1, 120))
        if answered >= self.now:
            return
        invitation = SurveyInvitation(
            customer=data.customer,
            purchase=purchase,
            branch=purchase.branch,
            sent_at=sent,
            expires_at=sent + timedelta(days=30),
            answered_at=answered,
        )
        band = rng.choices(["detractor", "passive", "promoter"], weights=[18, 27, 55])[0]
        nps = {"detractor": rng.randint(0, 6), "passive": rng.randint(7, 8)}.get(
            band, rng.randint(9, 10)
        )
        low = 1 if band == "detractor" else 3
        response = SurveyResponse(
            invitation=invitation,
            nps=nps,
            satisfaction_purchase=rng.randint(low, 5),
            satisfaction_handover=rng.randint(low, 5),
            created_at=answered,
        )
        data.invitations.append(invitation)
        data.responses.append(response)
        if response.is_low:
            self._signal(
                data,
                purchase=purchase,
                survey_response=response,
                kind=Kind.LOW_SURVEY,
                weight=scoring.weights()[Kind.LOW_SURVEY],
                occurred_at=answered,
                summary=_(
                    "Low survey answer: NPS %(nps)d, purchase %(purchase)d/5, "
                    "handover %(handover)d/5"
                )
                % {
                    "nps": response.nps,
                    "purchase": response.satisfaction_purchase,
                    "handover": response.satisfaction_handover,
                },
                key="survey",
            )

    def _followup_signals(self, rng, data):
        for number in range(rng.choices([1, 2, 3], weights=[60, 28, 12])[0]):
            purchase = rng.choice(data.purchases)
            kind = weighted(rng, SIGNAL_KINDS)
            title = rng.choice(FOLLOWUP_TITLES)
            if kind == Kind.FOLLOWUP_CONCERN:
                summary = _("Concern in %(title)s: %(concern)s") % {
                    "title": title,
                    "concern": rng.choice(CONCERNS),
                }
            elif kind == Kind.NOT_REACHED:
                attempts = rng.randint(2, 3)
                summary = ngettext(
                    "Not reached %(count)d time: %(title)s",
                    "Not reached %(count)d times: %(title)s",
                    attempts,
                ) % {"count": attempts, "title": title}
            else:
                summary = _("Follow-up never made: %(title)s") % {"title": title}
            occurred_at = self._moment_after(rng, purchase, mean_days=30 + 40 * number)
            if occurred_at is not None:
                self._signal(
                    data,
                    purchase=purchase,
                    kind=kind,
                    weight=scoring.weights()[kind],
                    occurred_at=occurred_at,
                    summary=summary,
                    key=f"followup:{number}",
                )

    def _signal(
        self,
        data,
        *,
        purchase,
        kind,
        weight,
        occurred_at,
        summary,
        key,
        summary_params=None,
        **sources,
    ):
        # A text is written out from the row it names; the seeded follow-up signals have none
        # and show their words.
        data.signals.append(
            DissonanceSignal(
                customer=data.customer,
                purchase=purchase,
                branch=purchase.branch if purchase else data.customer.branch,
                **services.signal_facts(data.customer, purchase),
                kind=kind,
                weight=weight,
                # In UTC, as the database gives it back: the score's reasons quote it.
                occurred_at=occurred_at.astimezone(UTC),
                summary=summary[:200],
                summary_code=quality_texts.SIGNAL_CODES[kind] if sources else "",
                summary_params=summary_params or {},
                source_key=f"seed:{data.customer.pk}:{key}",
                **sources,
            )
        )

    # --- scores, recovery calls and the inserts ---

    def _insert(self, batch):
        complaints = [c for data in batch for c in data.complaints]
        bulk_create_with_history(
            complaints, Complaint, batch_size=INSERT_ROWS, default_change_reason="seed_quality"
        )
        ComplaintEvent.objects.bulk_create(
            [event for data in batch for event in data.events], batch_size=INSERT_ROWS
        )
        invitations = [i for data in batch for i in data.invitations]
        SurveyInvitation.objects.bulk_create(invitations, batch_size=INSERT_ROWS)
        # bulk_create takes the primary keys of the rows just inserted for the foreign keys.
        responses = [r for data in batch for r in data.responses]
        SurveyResponse.objects.bulk_create(responses, batch_size=INSERT_ROWS)
        signals = [s for data in batch for s in data.signals]
        DissonanceSignal.objects.bulk_create(signals, batch_size=INSERT_ROWS)
        scores, followups = [], []
        for data in batch:
            if data.signals:
                scores.extend(self._scores(data, followups))
        FollowUp.objects.bulk_create(followups, batch_size=INSERT_ROWS)
        DissonanceScore.objects.bulk_create(scores, batch_size=INSERT_ROWS)
        return {
            "complaints": len(complaints),
            "signals": len(signals),
            "surveys": len(responses),
            "scores": len(scores),
            "recovery": len(followups),
        }

    def _scores(self, data, followups):
        """The customer's score and each purchase's, as rescore_customer computes them."""
        purchases = {purchase.pk: purchase for purchase in data.purchases}
        by_purchase, everything = {}, []
        for signal in data.signals:
            purchase = purchases.get(signal.purchase_id)
            item = scoring.contribution(
                signal,
                now=self.now,
                involvement=purchase.main_category.involvement
                if purchase and purchase.main_category
                else None,
                handover_date=purchase.handover_date if purchase else None,
            )
            everything.append(item)
            if purchase:
                by_purchase.setdefault(purchase.pk, []).append(item)
        latest = max(signal.occurred_at for signal in data.signals)
        rows = [
            self._score(data.customer, purchases[pk], items, latest)
            for pk, items in by_purchase.items()
        ]
        customer_score = self._score(data.customer, None, everything, latest)
        if customer_score.level in scoring.AT_RISK_LEVELS:
            customer_score.recovery_followup = self._recovery(data.customer, latest)
            followups.append(customer_score.recovery_followup)
        return [*rows, customer_score]

    def _score(self, customer, purchase, contributions, latest):
        score, reasons = scoring.score_of(contributions)
        return DissonanceScore(
            customer=customer,
            purchase=purchase,
            branch=purchase.branch if purchase else customer.branch,
            score=score,
            level=scoring.level_for(score),
            reasons=reasons[:10],
            computed_at=self.now,
            level_changed_at=latest,
        )

    def _recovery(self, customer, since):
        """The personal call within two working days; older ones have mostly been made."""
        branch = self.branches[customer.branch_id]
        if branch.pk not in self.calendars:
            self.calendars[branch.pk] = WorkingCalendar(
                branch, self.today - timedelta(days=800), self.today
            )
        calendar = self.calendars[branch.pk]
        due = calendar.add_working_days(since.astimezone(branch.zone).date(), 2)
        rng = self._rng(f"recovery:{customer.pk}")
        followup = FollowUp(
            customer=customer,
            branch=branch,
            kind=StepKind.RECOVERY,
            channel=ContactChannel.PHONE,
            purpose=Purpose.CARE,
            title=(_("Recovery call: %(customer)s") % {"customer": customer})[:120],
            title_code=quality_texts.RECOVERY_TITLE,
            instructions_code=quality_texts.RECOVERY_INSTRUCTIONS,
            assignee_role=AssigneeRole.MANAGER,
            assignee=self.managers.get(branch.pk),
            planned_date=due,
            due_date=due,
        )
        if due < self.today - timedelta(days=7):
            outcome = rng.choices(["done", "missed", "open"], weights=[70, 15, 15])[0]
            if outcome == "done":
                followup.status = FollowUp.Status.DONE
                followup.outcome = FollowUp.Outcome.SATISFIED
                followup.completed_at = datetime.combine(
                    due, datetime.min.time(), tzinfo=branch.zone
                ) + timedelta(hours=11)
                followup.completed_by = followup.assignee
                followup.attempts = 1
            elif outcome == "missed":
                followup.status = FollowUp.Status.MISSED
                followup.missed_at = datetime.combine(
                    due + timedelta(days=14), datetime.min.time(), tzinfo=branch.zone
                )
        return followup
