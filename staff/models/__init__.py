"""The staff app's models, defined in its domain packages and gathered here, where Django looks
for them: they keep the app label "staff" (so their tables, permissions and migrations stay) and
`staff.models.X` keeps working for the migrations, the tests and the other apps."""

from staff.hiring.models import Candidate, CandidateAssessment, Competency, CompetencyRating
from staff.mystery.models import (
    DEFAULT_COACHING_THRESHOLD,
    Answer,
    AssignmentQuerySet,
    Criterion,
    MysteryShopAssignment,
    MysteryShopResult,
    ResultAttachment,
    ResultQuerySet,
    Scenario,
    ScorecardSection,
    ScorecardTemplate,
    ScorecardVersion,
    result_attachment_path,
)
from staff.people.models import (
    DEFAULT_PUNCTUALITY_TOLERANCE_MINUTES,
    Appointment,
    CoachingAction,
    CoachingActionQuerySet,
    Course,
    RequiredCourse,
    StaffPolicy,
    TrainingRecord,
    TrainingRecordQuerySet,
    certificate_path,
)

__all__ = [
    "DEFAULT_COACHING_THRESHOLD",
    "DEFAULT_PUNCTUALITY_TOLERANCE_MINUTES",
    "Answer",
    "Appointment",
    "AssignmentQuerySet",
    "Candidate",
    "CandidateAssessment",
    "CoachingAction",
    "CoachingActionQuerySet",
    "Competency",
    "CompetencyRating",
    "Course",
    "Criterion",
    "MysteryShopAssignment",
    "MysteryShopResult",
    "RequiredCourse",
    "ResultAttachment",
    "ResultQuerySet",
    "Scenario",
    "ScorecardSection",
    "ScorecardTemplate",
    "ScorecardVersion",
    "StaffPolicy",
    "TrainingRecord",
    "TrainingRecordQuerySet",
    "certificate_path",
    "result_attachment_path",
]
