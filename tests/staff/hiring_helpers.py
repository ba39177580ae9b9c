"""Small helpers the hiring tests share (the fixtures live in each module)."""

from staff.hiring import services
from staff.models import Competency

# The five competencies in their order: customer orientation, reliability and punctuality,
# communication, resilience under complaint pressure, product interest.
COMPETENCIES = list(Competency)


def ratings(*levels, evidence=""):
    """{competency: (level, evidence)} from five levels in the competencies' order."""
    assert len(levels) == len(COMPETENCIES)
    return {
        competency.value: (level, evidence or f"observed {level}")
        for competency, level in zip(COMPETENCIES, levels, strict=True)
    }


def assess(candidate, assessor, *levels, notes="", evidence=""):
    return services.submit_assessment(
        candidate=candidate,
        assessor=assessor,
        ratings=ratings(*levels, evidence=evidence),
        notes=notes,
    )


def form_data(*levels, notes="", evidence="seen in the interview"):
    """The assessment page's POST data."""
    data = {"notes": notes}
    for competency, level in zip(COMPETENCIES, levels, strict=True):
        data[f"{competency.value}_rating"] = str(level)
        data[f"{competency.value}_evidence"] = evidence
    return data
