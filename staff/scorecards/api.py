"""The scorecards in the API: the same figures, scoping and period as the pages.

    GET /api/staff/{id}/scorecard/?months=12[&branch=3]    one employee's scorecard
    GET /api/staff/scorecards/branch/{id}/?months=12&sort=name   a branch's, with its table

Access as in the browser: anyone on the staff reads their own scorecard; with
staff.view_branch_scorecards also those of the people and branches they work with. Out of scope:
404; a mystery shopper (or a salesperson on a branch): 403.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api import IsStaffMember
from staff.scorecards import selectors
from staff.scorecards.selectors import DEFAULT_PERIOD_MONTHS, PERIOD_MONTHS, SORT_COLUMNS, Period

# --- query parameters ----------------------------------------------------------------------------


class PeriodQuerySerializer(serializers.Serializer):
    months = serializers.ChoiceField(
        choices=PERIOD_MONTHS,
        default=DEFAULT_PERIOD_MONTHS,
        help_text=_("The last 3, 6 or 12 calendar months, the current one included."),
    )


class EmployeeQuerySerializer(PeriodQuerySerializer):
    branch = serializers.IntegerField(
        required=False,
        help_text=_("Only the work done in this branch (one of the employee's)."),
    )


class BranchQuerySerializer(PeriodQuerySerializer):
    sort = serializers.ChoiceField(
        choices=[*SORT_COLUMNS, *(f"-{column}" for column in SORT_COLUMNS)],
        default="name",
        help_text=_("The employees' order; a leading minus sorts descending."),
    )


# --- figures -------------------------------------------------------------------------------------


class PeriodSerializer(serializers.Serializer):
    months = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()


class MonthScoreSerializer(serializers.Serializer):
    month = serializers.DateField(help_text=_("First day of the month of the visits."))
    count = serializers.IntegerField()
    average = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)


class ResultSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visited_at = serializers.DateTimeField()
    scenario = serializers.CharField(source="assignment.template.scenario")
    branch = serializers.IntegerField(source="assignment.branch_id")
    served_by = serializers.IntegerField(source="served_by_id", allow_null=True)
    score = serializers.DecimalField(max_digits=4, decimal_places=1)
    critical_failed = serializers.BooleanField()


class MysteryShopSerializer(serializers.Serializer):
    average = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        allow_null=True,
        help_text=_("Mean overall score (%) of the accepted results visited in the period."),
    )
    count = serializers.IntegerField()
    trend = MonthScoreSerializer(many=True)


class PunctualitySerializer(serializers.Serializer):
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    no_show = serializers.IntegerField()
    not_recorded = serializers.IntegerField()
    on_time_rate = serializers.FloatField(
        allow_null=True, help_text=_("Share (0–1) of the held appointments started on time.")
    )


class AdherenceSerializer(serializers.Serializer):
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missed = serializers.IntegerField()
    overdue = serializers.IntegerField()
    pending = serializers.IntegerField()
    on_time_rate = serializers.FloatField(
        allow_null=True, help_text=_("Share (0–1) of the settled follow-ups done on time.")
    )


class CategoryCountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    is_staff_attention = serializers.BooleanField()


class ComplaintsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("Received in the period."))
    open = serializers.IntegerField()
    closed = serializers.IntegerField(help_text=_("Resolved or closed."))
    staff_attention = serializers.IntegerField()
    others = serializers.IntegerField()
    categories = CategoryCountSerializer(many=True, help_text=_("By top-level category."))


class SatisfactionSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    nps = serializers.IntegerField(
        allow_null=True, help_text=_("Promoters (9–10) minus detractors (0–6), in %.")
    )
    mean_nps = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    mean_purchase = serializers.DecimalField(max_digits=2, decimal_places=1, allow_null=True)
    mean_handover = serializers.DecimalField(max_digits=2, decimal_places=1, allow_null=True)


class CoachingSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    goal = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.CharField(help_text=_("open or in_progress"))
    source = serializers.CharField()


class CoachingSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()


class CourseComplianceSerializer(serializers.Serializer):
    course_id = serializers.IntegerField()
    title = serializers.CharField()
    required = serializers.BooleanField()
    state = serializers.CharField(help_text=_("valid, expiring, expired or missing"))
    expires_on = serializers.DateField(allow_null=True)


class ComplianceSerializer(serializers.Serializer):
    is_compliant = serializers.BooleanField()
    valid = serializers.IntegerField()
    expiring = serializers.IntegerField()
    expired = serializers.IntegerField()
    missing = serializers.IntegerField()
    items = CourseComplianceSerializer(many=True)


class TrainingSerializer(serializers.Serializer):
    people = serializers.IntegerField()
    compliant = serializers.IntegerField()
    valid = serializers.IntegerField()
    expiring = serializers.IntegerField()
    expired = serializers.IntegerField()
    missing = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    mystery_shop = MysteryShopSerializer()
    punctuality = PunctualitySerializer()
    followup_adherence = AdherenceSerializer(source="adherence")
    complaints = ComplaintsSerializer()
    satisfaction = SatisfactionSerializer()
    coaching = CoachingSerializer()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="__str__")


class EmployeeScorecardSerializer(serializers.Serializer):
    employee = PersonSerializer()
    period = PeriodSerializer()
    branch = serializers.IntegerField(source="branch.pk", allow_null=True, default=None)
    figures = FiguresSerializer()
    training = ComplianceSerializer(source="compliance", allow_null=True)
    open_coaching_actions = CoachingSummarySerializer(source="figures.coaching.actions", many=True)
    latest_results = ResultSummarySerializer(source="results", many=True)


class EmployeeRowSerializer(serializers.Serializer):
    employee = PersonSerializer()
    mystery_shop_average = serializers.DecimalField(
        source="figures.mystery_shop.average", max_digits=4, decimal_places=1, allow_null=True
    )
    mystery_shop_count = serializers.IntegerField(source="figures.mystery_shop.count")
    punctuality_on_time_rate = serializers.FloatField(
        source="figures.punctuality.on_time_rate", allow_null=True
    )
    followup_on_time_rate = serializers.FloatField(
        source="figures.adherence.on_time_rate", allow_null=True
    )
    complaints = serializers.IntegerField(source="figures.complaints.total")
    staff_attention_complaints = serializers.IntegerField(
        source="figures.complaints.staff_attention"
    )
    nps = serializers.IntegerField(source="figures.satisfaction.nps", allow_null=True)
    survey_answers = serializers.IntegerField(source="figures.satisfaction.count")
    training_compliant = serializers.BooleanField(source="compliance.is_compliant")
    training_missing = serializers.IntegerField(source="compliance.missing")
    training_expired = serializers.IntegerField(source="compliance.expired")
    open_coaching = serializers.IntegerField(source="figures.coaching.open")
    overdue_coaching = serializers.IntegerField(source="figures.coaching.overdue")


class BranchRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()


class BranchScorecardSerializer(serializers.Serializer):
    branch = BranchRefSerializer()
    period = PeriodSerializer()
    figures = FiguresSerializer()
    training = TrainingSerializer()
    employees = EmployeeRowSerializer(source="rows", many=True)
    latest_results = ResultSummarySerializer(source="results", many=True)


# --- views ---------------------------------------------------------------------------------------


class CanSeeBranchScorecards(permissions.BasePermission):
    def has_permission(self, request, view):
        return selectors.can_see_branch_scorecards(request.user)


def _query(serializer_class, request):
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class EmployeeScorecardView(APIView):
    """One employee's scorecard: their own for everyone on the staff, their branches' people's
    for managers, quality managers and administrators."""

    permission_classes = [permissions.IsAuthenticated, IsStaffMember]

    @extend_schema(
        parameters=[
            EmployeeQuerySerializer,
            OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The employee.")),
        ],
        responses=EmployeeScorecardSerializer,
    )
    def get(self, request, id):
        query = _query(EmployeeQuerySerializer, request)
        try:
            employee = selectors.scorecard_employee(request.user, id)
            branch = (
                selectors.employee_branch_choices(request.user, employee).get(pk=query["branch"])
                if "branch" in query
                else None
            )
        except ObjectDoesNotExist as missing:
            raise Http404 from missing
        card = selectors.employee_scorecard(
            request.user, employee, period=Period.last(query["months"]), branch=branch
        )
        return Response(EmployeeScorecardSerializer(card).data)


class BranchScorecardView(APIView):
    """A branch's scorecard and the comparison of its customer-facing employees."""

    permission_classes = [permissions.IsAuthenticated, IsStaffMember, CanSeeBranchScorecards]

    @extend_schema(
        parameters=[
            BranchQuerySerializer,
            OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The branch.")),
        ],
        responses=BranchScorecardSerializer,
    )
    def get(self, request, id):
        query = _query(BranchQuerySerializer, request)
        try:
            branch = selectors.scorecard_branch(request.user, id)
        except ObjectDoesNotExist as missing:
            raise Http404 from missing
        card = selectors.branch_scorecard(
            request.user, branch, period=Period.last(query["months"]), sort=query["sort"]
        )
        return Response(BranchScorecardSerializer(card).data)
