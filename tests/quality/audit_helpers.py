"""Audit templates, audits and findings for the tests, made through the services."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from customers.models import PurchaseLine
from quality.audits import services
from quality.audits.models import Area, AuditItem
from tests.customers.factories import ProductFactory, PurchaseFactory

Kind = AuditItem.Kind


def item(text, kind=Kind.YES_NO, weight=1, **extra):
    return {"text": text, "kind": kind, "weight": weight, **extra}


# Hand-computable: "Prices" (critical, weight 3) and "Discounts" (weight 2) are pass/fail,
# "Clarity" a 1–5 score of weight 2, "Days to send" measured against 2 days (weight 1).
INVOICING_SECTIONS = [
    {
        "title": "Correctness",
        "items": [
            item(
                "Prices as agreed", weight=3, is_critical=True, guidance="Compare with the order."
            ),
            item("Discounts shown", weight=2),
        ],
    },
    {
        "title": "Understandable",
        "items": [
            item("Clarity", Kind.SCALE, 2),
            item("Days to send", Kind.MEASURED, 1, target_value=Decimal("2"), unit="days"),
            item("Anything else", Kind.OBSERVATION, 0),
        ],
    },
]


def make_template(*, area=Area.INVOICING, name=None, sections=None, pass_threshold=80):
    return services.create_template(
        by=None,
        name=name or f"{Area(area).label} audit",
        area=area,
        sections=sections or INVOICING_SECTIONS,
        pass_threshold=pass_threshold,
    )


def plan(*, branch, template, auditor=None, due_in_days=10):
    return services.plan_audit(
        by=None,
        branch=branch,
        template=template,
        due_on=timezone.localdate() + timedelta(days=due_in_days),
        auditor=auditor,
    )


def items_by_text(audit):
    return {row.text: row for row in services.version_items(audit.version_id)}


def answers(audit, **by_text):
    """{item id: entries} from keyword arguments named like the items' texts in snake case:
    prices_as_agreed={"met": True}."""
    items = items_by_text(audit)
    by_key = {text.lower().replace(" ", "_"): row for text, row in items.items()}
    return {by_key[key].pk: entries for key, entries in by_text.items()}


GOOD = {
    "prices_as_agreed": {"met": True},
    "discounts_shown": {"met": True},
    "clarity": {"rating": 5},
    "days_to_send": {"value": "1"},
}


def carried_out(audit, *, by, **overrides):
    """The audit answered (GOOD unless overridden) and submitted."""
    services.save_audit(audit=audit, by=by, answers=answers(audit, **(GOOD | overrides)))
    return services.submit_audit(audit=audit, by=by)


def finding_with_action(*, branch, by, owner, due_in_days=5, failed=("discounts_shown",)):
    """A submitted invoicing audit at the branch with the failed items' findings, and one
    corrective action for the first finding, owned by `owner`."""
    audit = plan(branch=branch, template=make_template(), auditor=by)
    audit = carried_out(audit, by=by, **{key: {"met": False} for key in failed})
    finding = audit.findings.order_by("pk").first()
    action = services.add_corrective_action(
        finding=finding,
        by=by,
        owner=owner,
        description="Check every invoice against the order.",
        due_on=timezone.localdate() + timedelta(days=due_in_days),
    )
    return finding, action


def purchase_of(product, *, customer=None, branch=None, **fields):
    """A handed-over purchase whose one line is the product."""
    extra = {"customer": customer} if customer else {}
    if branch is not None and customer is None:
        extra["customer__branch"] = branch
    purchase = PurchaseFactory(**extra, **fields)
    PurchaseLine.objects.create(
        purchase=purchase, product=product, quantity=1, unit_price=product.list_price
    )
    return purchase


def model(name="Roadster 2"):
    return ProductFactory(name=name)
