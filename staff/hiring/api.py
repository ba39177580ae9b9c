"""REST API of the aptitude assessment for hiring (managers and administrators only).

`/api/candidates/`: the candidates of the caller's branches, added and corrected through the
services, a `decide` action, erasure by DELETE. The detail carries the combined assessment only
when the caller may see it (they have submitted their own, or the decision is recorded), as on the
page. `/api/candidates/{id}/assessment/`: GET and PUT the caller's own assessment.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from aftersales.api import STAFF_WITH_MODEL_PERMISSIONS, BranchField
from staff.hiring import selectors, services
from staff.hiring.models import Candidate, CandidateAssessment, Competency, CompetencyRating

# --- serializers ---------------------------------------------------------------------------------


class CompetencyResultSerializer(serializers.Serializer):
    competency = serializers.ChoiceField(choices=Competency.choices)
    count = serializers.IntegerField(help_text=_("How many assessors rated it."))
    mean = serializers.FloatField(allow_null=True)
    min = serializers.IntegerField(allow_null=True)
    max = serializers.IntegerField(allow_null=True)
    spread = serializers.IntegerField(allow_null=True, help_text=_("max − min"))
    disagree = serializers.BooleanField(
        help_text=_("The spread is 2 or more: the assessors should discuss before deciding.")
    )


class CombinedAssessmentSerializer(serializers.Serializer):
    assessor_count = serializers.IntegerField()
    overall_mean = serializers.FloatField(
        allow_null=True, help_text=_("The mean of the competencies' means.")
    )
    disagreement = serializers.BooleanField(
        help_text=_("The assessors disagree on at least one competency.")
    )
    competencies = CompetencyResultSerializer(source="rows", many=True)


class CandidateSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    assessment_count = serializers.IntegerField(
        read_only=True, help_text=_("Submitted assessments.")
    )
    assessed_by_me = serializers.BooleanField(read_only=True)
    results_visible = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "Whether you may see the ratings: once you have submitted your own assessment or "
            "the decision is recorded."
        ),
    )
    overall_mean = serializers.FloatField(
        read_only=True, allow_null=True, help_text=_("Null while the ratings are hidden from you.")
    )

    class Meta:
        model = Candidate
        fields = [
            "id",
            "branch",
            "branch_name",
            "first_name",
            "last_name",
            "email",
            "role",
            "status",
            "decision_reason",
            "decided_at",
            "decided_by",
            "delete_after",
            "created_at",
            "assessment_count",
            "assessed_by_me",
            "results_visible",
            "overall_mean",
        ]
        read_only_fields = fields


class CandidateDetailSerializer(CandidateSerializer):
    """A candidate read through `selectors.with_combined`."""

    combined = CombinedAssessmentSerializer(
        read_only=True,
        allow_null=True,
        help_text=_("The assessors' ratings combined; null while they are hidden from you."),
    )

    class Meta(CandidateSerializer.Meta):
        fields = [*CandidateSerializer.Meta.fields, "combined"]
        read_only_fields = fields


class CandidateWriteSerializer(serializers.Serializer):
    branch = BranchField(
        scope=selectors.candidate_branches, help_text=_("One of your branches: where the role is.")
    )
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=services.CANDIDATE_ROLE_CHOICES)


class DecisionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=services.DECISION_CHOICES,
        help_text=_("Not hired (rejected, withdrawn): deleted after the retention period."),
    )
    reason = serializers.CharField(help_text=_("Why, in terms of the competencies assessed."))


class RatingSerializer(serializers.ModelSerializer):
    competency = serializers.ChoiceField(choices=Competency.choices)
    rating = serializers.IntegerField(min_value=1, max_value=5)
    evidence = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        model = CompetencyRating
        fields = ["competency", "rating", "evidence"]


class AssessmentSerializer(serializers.ModelSerializer):
    ratings = RatingSerializer(
        source="ordered_ratings",
        many=True,
        help_text=_("All five competencies, each rated 1–5 on its anchored scale."),
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        model = CandidateAssessment
        fields = ["candidate", "assessor", "ratings", "notes", "submitted_at"]
        read_only_fields = ["candidate", "assessor", "submitted_at"]

    def validate_ratings(self, ratings):
        competencies = [rating["competency"] for rating in ratings]
        if len(set(competencies)) != len(competencies):
            raise serializers.ValidationError(_("Rate each competency once."))
        return ratings


class CandidateListQuerySerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, help_text=_("Name or e-mail."))
    status = serializers.ChoiceField(
        choices=Candidate.Status.choices, required=False, allow_blank=True
    )
    role = serializers.ChoiceField(
        choices=services.CANDIDATE_ROLE_CHOICES, required=False, allow_blank=True
    )
    branch = serializers.IntegerField(required=False, help_text=_("Branch id."))
    ordering = serializers.ChoiceField(
        choices=list(selectors.CANDIDATE_ORDERINGS), required=False, help_text=_("Sort order.")
    )


# --- the viewset ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(parameters=[CandidateListQuerySerializer]),
    create=extend_schema(
        request=CandidateWriteSerializer, responses={201: CandidateDetailSerializer}
    ),
    update=extend_schema(request=CandidateWriteSerializer, responses=CandidateDetailSerializer),
    partial_update=extend_schema(
        request=CandidateWriteSerializer(partial=True), responses=CandidateDetailSerializer
    ),
)
class CandidateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Candidates for customer-facing roles in the caller's branches, their structured
    assessment and the decision. Managers and administrators only."""

    serializer_class = CandidateDetailSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    lookup_value_regex = r"\d+"
    # The list parses its own parameters and hands them to the selector.
    filter_backends = []
    action_permissions = {
        "decide": {"POST": ["staff.change_candidate"]},
        "assessment": {
            "GET": ["staff.view_candidateassessment"],
            "PUT": ["staff.add_candidateassessment", "staff.change_candidateassessment"],
        },
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema has no caller to scope to
            return Candidate.objects.none()
        return selectors.candidate_list(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return CandidateSerializer
        return super().get_serializer_class()

    def list(self, request):
        query = CandidateListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        candidates = selectors.candidate_list(request.user, **query.validated_data)
        page = self.paginate_queryset(candidates)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self._detail(self.get_object()))

    def create(self, request):
        serializer = self._write_serializer(request)
        candidate = services.add_candidate(by=request.user, **serializer.validated_data)
        return Response(self._read(candidate), status=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        return self._update(request, partial=False)

    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    def destroy(self, request, pk=None):
        """Erase the candidate and their assessments at once (right to erasure)."""
        services.delete_candidate(candidate=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=DecisionSerializer, responses=CandidateDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Record the decision (hired, rejected, withdrawn) with its reason. Not hired: the
        candidate is deleted CANDIDATE_RETENTION_MONTHS after it."""
        candidate = self.get_object()
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        candidate = services.decide(
            candidate=candidate, by=request.user, **serializer.validated_data
        )
        return Response(self._read(candidate))

    @extend_schema(methods=["GET"], request=None, responses={200: AssessmentSerializer})
    @extend_schema(
        methods=["PUT"], request=AssessmentSerializer, responses={200: AssessmentSerializer}
    )
    @action(detail=True, methods=["get", "put"])
    def assessment(self, request, pk=None):
        """Your own assessment of the candidate (404 until you have made one). PUT submits or
        changes it: all five competencies; no longer possible once the decision is recorded."""
        candidate = self.get_object()
        if request.method == "PUT":
            serializer = AssessmentSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            services.submit_assessment(
                candidate=candidate,
                assessor=request.user,
                ratings={
                    rating["competency"]: (rating["rating"], rating["evidence"])
                    for rating in data["ordered_ratings"]
                },
                notes=data["notes"],
            )
        mine = selectors.my_assessment(request.user, candidate)
        if mine is None:
            raise NotFound(_("You have not assessed this candidate yet."))
        return Response(AssessmentSerializer(mine).data)

    def _write_serializer(self, request):
        serializer = CandidateWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return serializer

    def _update(self, request, *, partial):
        candidate = self.get_object()
        current = CandidateWriteSerializer(
            {
                "branch": candidate.branch,
                "first_name": candidate.first_name,
                "last_name": candidate.last_name,
                "email": candidate.email,
                "role": candidate.role,
            }
        ).data
        serializer = CandidateWriteSerializer(
            # items(): one value per key, also from a form-encoded QueryDict.
            data={**current, **dict(request.data.items())} if partial else request.data,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        candidate = services.update_candidate(
            candidate=candidate, by=request.user, **serializer.validated_data
        )
        return Response(self._read(candidate))

    def _detail(self, candidate):
        """The detail: a candidate of the scoped queryset with the combined assessment."""
        return self.get_serializer(selectors.with_combined(self.request.user, candidate)).data

    def _read(self, candidate):
        """A candidate just written, read back through the scoped queryset as the detail."""
        return self._detail(self.get_queryset().get(pk=candidate.pk))
