"""Walking every URL pattern of the project with real objects, for the access tests that ask
every route (the shopper's isolation, tests/staff/test_shopper_isolation.py).

`walk` goes through `get_resolver().url_patterns` recursively: the pages of every app, the API
router's routes, the admin. `candidate_paths` turns a pattern into
concrete paths: each id parameter gets the id of the object named by the word before it
("complaints/<pk>" gets the complaint), and a word not known here gets every object's id.
`make_world` builds those objects, all in one branch, with the staff personas as their owners;
`object_keys` tells which of them a pattern's parameters name.
"""

import itertools
import re
import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from aftersales.signin import services as signin_services
from customers.models import DeclinedWork, MaintenanceSchedule, Urgency
from followups.models import (
    ContactChannel,
    ContactEvent,
    Offer,
    OfferRule,
    Purpose,
    SurveyInvitation,
    SurveyResponse,
)
from quality.audits import services as audit_services
from quality.audits.models import CommunicationSample, InvoiceSample
from quality.campaigns import services as campaign_services
from quality.campaigns.models import ClusterRule
from staff.models import ResultAttachment
from staff.mystery import services as mystery_services
from tests.aftersales.factories import NotificationFactory
from tests.customers.factories import (
    CustomerFactory,
    ProductCategoryFactory,
    ProductFactory,
    PurchaseFactory,
)
from tests.followups.factories import FollowUpFactory, PlaybookFactory
from tests.quality.audit_helpers import finding_with_action, model, purchase_of
from tests.quality.factories import ComplaintCategoryFactory, ComplaintFactory
from tests.staff.factories import (
    AppointmentFactory,
    CandidateFactory,
    CoachingActionFactory,
    CourseFactory,
    TrainingRecordFactory,
)
from tests.staff.mystery_helpers import handover_assignment, submit

PHOTO = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"


# --- the resolver, walked ------------------------------------------------------------------------


def walk(patterns, prefix=(), namespace=""):
    """(pattern pieces from the root, full URL name or None) for every leaf pattern."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace
            name_space = ":".join(part for part in (namespace, inner) if part)
            yield from walk(entry.url_patterns, (*prefix, entry.pattern), name_space)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield (*prefix, entry.pattern), name


ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


def template_of(piece):
    """A pattern piece as text with {name:kind} placeholders for its parameters."""
    text = str(piece)
    if isinstance(piece, RoutePattern):  # a path() route
        return ROUTE_PARAMETER.sub(
            lambda match: f"{{{match['name']}:{match['converter'] or 'str'}}}", text
        )
    text = text.removeprefix("^").removesuffix("$").replace("/?", "")

    def group(match):
        pattern = match[0]
        kind = "int" if r"\d" in pattern or "[^/.]" in pattern or "[0-9]+)" in pattern else "str"
        return f"{{{match['name']}:{kind}}}"

    text = REGEX_GROUP.sub(group, text)
    return text.replace("\\.", ".").replace("\\", "")


def route_of(pieces):
    """The whole pattern as one text, with {name:kind} placeholders: how a route without a URL
    name is known."""
    return "/" + "".join(template_of(piece) for piece in pieces)


PLACEHOLDER = re.compile(r"\{(?P<name>\w+):(?P<kind>[\w]+)\}")
STR_VALUES = {"format": "json", "uidb64": "MQ", "token": "set-password", "url": "nothing/here"}


def object_keys(pieces):
    """The world's key of the object each id parameter of a pattern names (None for a word not
    known here), in order: the word before the parameter decides, and for scorecard templates
    and attachments the route they are under."""
    text = route_of(pieces)
    keys = []
    for match in PLACEHOLDER.finditer(text):
        name, kind = match["name"], match["kind"]
        if not (kind == "int" or name in {"pk", "id"} or name.endswith("_pk")):
            continue
        words = text[: match.start()].rstrip("/").split("/")
        if "attachment" in name:
            keys.append("complaint_attachment" if "complaints" in words else "result_attachment")
        elif words[-1] == "templates":
            keys.append("audit_template" if "audits" in words else "template")
        else:
            keys.append(WORDS.get(words[-1]))
    return keys


def candidate_paths(pieces, world):
    """Concrete paths for a pattern: each id parameter gets the id of the object it names, or
    every object's id when its word is not known here."""
    text = route_of(pieces)
    every = sorted({obj.pk for obj in world.values()})
    keys = iter(object_keys(pieces))
    choices = []
    for match in PLACEHOLDER.finditer(text):
        name, kind = match["name"], match["kind"]
        if kind == "int" or name in {"pk", "id"} or name.endswith("_pk"):
            key = next(keys)
            choices.append([world[key].pk] if key else every)
        elif kind == "uuid":
            choices.append([str(uuid.uuid4())])
        else:
            choices.append([STR_VALUES.get(name, "x")])
    return [fill(text, values) for values in itertools.product(*choices)]


def fill(text, values):
    filled = iter(values)
    return PLACEHOLDER.sub(lambda _match: str(next(filled)), text)


# --- a branch full of work -----------------------------------------------------------------------


def make_world(*, branch, owner, manager, quality_manager, assignment_shopper):
    """One of everything a route can name, in `branch`: the owner is its salesperson, employee
    and corrective-action owner; the mystery-shop assignment, its result and photo belong to
    `assignment_shopper`."""
    customer = CustomerFactory(branch=branch, salesperson=owner)
    purchase = PurchaseFactory(customer=customer, salesperson=owner)
    complaint = ComplaintFactory(
        customer=customer,
        attachments=[SimpleUploadedFile("noise.jpg", PHOTO, content_type="image/jpeg")],
    )
    followup = FollowUpFactory(purchase=purchase)
    assignment = handover_assignment(
        shopper=assignment_shopper, branch=branch, employee=owner, created_by=quality_manager
    )
    mystery_services.save_result(
        assignment=assignment,
        by=assignment_shopper,
        attachments=[SimpleUploadedFile("receipt.jpg", PHOTO, content_type="image/jpeg")],
    )
    result = submit(assignment, assignment_shopper, served_by=owner)
    course = CourseFactory()
    quality = _quality_world(branch, owner, quality_manager, customer)
    return {
        **quality,
        **_sales_world(branch, owner, customer, purchase, quality["product"]),
        "customer": customer,
        "purchase": purchase,
        "complaint": complaint,
        "complaint_attachment": complaint.attachments.get(),
        "followup": followup,
        "playbook": PlaybookFactory(),
        "assignment": assignment,
        "result": result,
        "result_attachment": ResultAttachment.objects.get(result=result),
        "template": assignment.template,
        "coaching": CoachingActionFactory(branch=branch, employee=owner),
        "appointment": AppointmentFactory(customer=customer, employee=owner),
        "course": course,
        "training_record": TrainingRecordFactory(
            employee=owner,
            course=course,
            certificate=SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf"),
        ),
        "candidate": CandidateFactory(branch=branch),
        "branch": branch,
        "owner": owner,
        "assignment_shopper": assignment_shopper,
        "manager": manager,
        "notification": NotificationFactory(recipient=owner),
        "token": signin_services.issue_token(user=owner, name="Laptop")[0],
    }


def _quality_world(branch, owner, quality_manager, customer):
    """An audit with a photo, invoice and communication samples, a finding and its corrective
    action, a complaint cluster and a campaign from it."""
    finding, action = finding_with_action(branch=branch, by=quality_manager, owner=owner)
    audit = finding.audit
    audit_photo = audit_services.add_photo(
        audit=audit,
        item=None,
        upload=SimpleUploadedFile("desk.jpg", PHOTO, content_type="image/jpeg"),
        by=quality_manager,
    )
    now = timezone.now()
    invoice = InvoiceSample.objects.create(
        audit=audit, number="R-1", invoice_date=now.date(), amount=Decimal("120.00"), clarity=4
    )
    contact = ContactEvent.objects.create(
        customer=customer,
        purpose=Purpose.CARE,
        channel=ContactChannel.PHONE,
        happened_at=now - timedelta(days=1),
    )
    communication = CommunicationSample.objects.create(
        audit=audit,
        source=CommunicationSample.Source.CONTACT,
        contact=contact,
        customer=customer,
        sent_at=contact.happened_at,
        summary="Phone call",
    )
    wind = ComplaintCategoryFactory(name="Wind noise", code="iso-wind")
    ClusterRule.objects.create(category=wind, threshold=2, window_days=60)
    car = model("Isolation car")
    for _number in range(2):
        ComplaintFactory(purchase=purchase_of(car, branch=branch), category=wind)
    purchase_of(car, branch=branch)  # an owner the campaign contacts: the branch's managers see it
    (cluster,) = campaign_services.detect_clusters()
    campaign = campaign_services.create_campaign(
        by=quality_manager, name="Seal", reference="ISO-1", product=None, cluster=cluster
    )
    return {
        "audit": audit,
        "audit_template": audit.template,
        "audit_photo": audit_photo,
        "invoice_sample": invoice,
        "communication_sample": communication,
        "finding": finding,
        "corrective_action": action,
        "cluster": cluster,
        "campaign": campaign,
        "product": car,
    }


def _sales_world(branch, owner, customer, purchase, product):
    """A catalogue category with its maintenance schedule, declined work, an offer rule and its
    offer, a survey answer."""
    today = timezone.localdate()
    category = ProductCategoryFactory(name="Route cars", code="route-cars")
    schedule = MaintenanceSchedule.objects.create(
        name="Route cars: yearly",
        category=category,
        service_product=ProductFactory(name="Route inspection", sku="ROUTE-INSP"),
        interval_km=30000,
        interval_months=12,
    )
    declined = DeclinedWork.objects.create(
        visit=purchase,
        vehicle=purchase,
        customer=customer,
        branch=branch,
        description="Brake pads",
        urgency=Urgency.SOON,
        declined_on=today,
    )
    rule = OfferRule.objects.create(name="Route tyres", category=category, product=product)
    offer = Offer.objects.create(
        rule=rule,
        customer=customer,
        branch=branch,
        purchase=purchase,
        assignee=owner,
        window_start=today,
        expires_on=today + timedelta(days=30),
        found_on=today,
        suggested_on=today,
    )
    invitation = SurveyInvitation.objects.create(
        customer=customer,
        purchase=purchase,
        branch=branch,
        sent_at=timezone.now() - timedelta(days=2),
        expires_at=timezone.now() + timedelta(days=28),
        answered_at=timezone.now(),
    )
    survey = SurveyResponse.objects.create(
        invitation=invitation, nps=9, satisfaction_purchase=4, satisfaction_handover=4
    )
    return {
        "category": category,
        "schedule": schedule,
        "declined_work": declined,
        "offer_rule": rule,
        "offer": offer,
        "survey": survey,
    }


# The word before an id parameter, and the object of the world it names.
WORDS = {
    "customers": "customer",
    "purchases": "purchase",
    "complaints": "complaint",
    "followups": "followup",
    "playbooks": "playbook",
    "assignments": "assignment",
    "my": "assignment",
    "results": "result",
    "coaching": "coaching",
    "coaching-actions": "coaching",
    "appointments": "appointment",
    "courses": "course",
    "trainings": "course",
    "records": "training_record",
    "training-records": "training_record",
    "candidates": "candidate",
    "branches": "branch",
    "branch": "branch",
    "users": "owner",
    "people": "owner",
    "staff": "owner",
    "scorecard": "owner",
    "audits": "audit",
    "audit-templates": "audit_template",
    "photos": "audit_photo",
    "invoices": "invoice_sample",
    "communication": "communication_sample",
    "findings": "finding",
    "corrective-actions": "corrective_action",
    "clusters": "cluster",
    "complaint-clusters": "cluster",
    "campaigns": "campaign",
    "products": "product",
    "categories": "category",
    "product-categories": "category",
    "maintenance": "schedule",
    "maintenance-schedules": "schedule",
    "declined-work": "declined_work",
    "offer-rules": "offer_rule",
    "offers": "offer",
    "surveys": "survey",
    "notifications": "notification",
    "tokens": "token",
}
