"""Small helpers the mystery-shopping tests share (the fixtures live in each module): a handover
scorecard, an assignment of it, a poor and a good result, the services' `sections` argument, and
closing a streamed file.

The poor result (hand-computed, see test_scoring.py): Welcome 65 %, Handover 20 %, overall 42.5 %,
the critical "Explained every function" not met.
"""

from django.utils import timezone

from staff.models import Criterion
from staff.mystery import services
from tests.staff.factories import AssignmentFactory, make_version

Kind = Criterion.Kind

HANDOVER = {
    "Welcome": [
        {"text": "Greeted within two minutes", "kind": Kind.MINUTES, "weight": 2,
         "target_minutes": 2},
        {"text": "Needs analysis", "kind": Kind.SCALE, "weight": 3},
    ],
    "Handover": [
        {"text": "Explained every function", "weight": 4, "is_critical": True},
        {"text": "Test drive offered", "weight": 2},
        {"text": "Farewell", "weight": 1},
        {"text": "What stood out", "kind": Kind.OBSERVATION},
    ],
}  # fmt: skip


def sections(structure):
    """{"Section title": [criterion, ...]} as the services' `sections` argument."""
    return [{"title": title, "criteria": criteria} for title, criteria in structure.items()]


def close_file(response):
    """Close the streamed file without response.close(), whose request_finished signal would
    close the test's database connection (it is inside the test transaction)."""
    for closer in response._resource_closers:
        closer()


def criteria_by_text(version):
    return {c.text: c for c in Criterion.objects.filter(section__version=version)}


def poor_answers(version):
    by_text = criteria_by_text(version)
    return {
        by_text["Greeted within two minutes"].pk: {"minutes": 3},
        by_text["Needs analysis"].pk: {"rating": 4},
        by_text["Explained every function"].pk: {"met": False},
        by_text["Test drive offered"].pk: {"not_applicable": True},
        by_text["Farewell"].pk: {"met": True},
        by_text["What stood out"].pk: {"note": "The handover took five minutes."},
    }


def good_answers(version):
    by_text = criteria_by_text(version)
    return {
        by_text["Greeted within two minutes"].pk: {"minutes": 1},
        by_text["Needs analysis"].pk: {"rating": 5},
        by_text["Explained every function"].pk: {"met": True},
        by_text["Test drive offered"].pk: {"met": True},
        by_text["Farewell"].pk: {"met": True},
    }


def submit(assignment, shopper, *, served_by=None, answers=None, description=""):
    result = services.save_result(
        assignment=assignment,
        by=shopper,
        visited_at=timezone.now(),
        served_by=served_by,
        served_by_description=description,
        answers=answers if answers is not None else poor_answers(assignment.version),
    )
    return services.submit_result(result=result, by=shopper)


def handover_assignment(*, shopper, branch, employee=None, created_by=None, version=None):
    """An assignment of a (new) handover scorecard."""
    return AssignmentFactory(
        version=version or make_version(HANDOVER),
        shopper=shopper,
        branch=branch,
        employee=employee,
        created_by=created_by,
    )


def submitted_results(count, *, shopper, branch, served_by):
    """`count` submitted handover results of one shopper, all on the same scorecard version."""
    version = handover_assignment(shopper=shopper, branch=branch).version
    for _number in range(count):
        submit(
            handover_assignment(shopper=shopper, branch=branch, version=version),
            shopper,
            served_by=served_by,
        )
