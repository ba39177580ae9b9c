"""REST API of mystery shopping: scorecard templates, assignments and results.

Same services and scoping as the browser. Mystery shoppers are external, so not staff members
(`IsStaffMember`); the endpoints they use take `ShopperOrStaffPermissions` instead: staff or the
mystery_shopper role, plus the model permissions of the caller's roles (a shopper may read
assignments and add/change results, nothing else), and the querysets' `visible_to(user)` shows a
shopper only their own assignments and results. Templates are staff-only.
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from aftersales.access import is_staff_member
from aftersales.api import (
    STAFF_WITH_MODEL_PERMISSIONS,
    BranchField,
    RolePermissions,
    VisiblePrimaryKeyRelatedField,
)
from aftersales.roles import Role
from aftersales.translated import TranslatedInputSerializer, translated
from staff.mystery import selectors, services
from staff.mystery.models import (
    DEFAULT_COACHING_THRESHOLD,
    Criterion,
    MysteryShopAssignment,
    MysteryShopResult,
    ResultAttachment,
    Scenario,
    ScorecardSection,
    ScorecardTemplate,
    ScorecardVersion,
)
from staff.people.selectors import branch_staff

User = get_user_model()
REVIEW = ["staff.review_mysteryshopresult"]
CHANGE_RESULT = ["staff.change_mysteryshopresult"]
CHANGE_ASSIGNMENT = ["staff.change_mysteryshopassignment"]


class ShopperOrStaffPermissions(RolePermissions):
    """Internal staff or mystery shoppers, each with their roles' model permissions."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if not (is_staff_member(user) or user.has_role(Role.MYSTERY_SHOPPER)):
            return False
        return super().has_permission(request, view)


SHOPPER_OR_STAFF = [permissions.IsAuthenticated, ShopperOrStaffPermissions]


# --- structure of a version ----------------------------------------------------------------------


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = [
            "id",
            "text",
            *translated("text"),
            "guidance",
            *translated("guidance"),
            "kind",
            "weight",
            "target_minutes",
            "is_critical",
        ]
        read_only_fields = fields


class SectionSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = ScorecardSection
        fields = ["id", "title", *translated("title"), "criteria"]
        read_only_fields = fields


class VersionSerializer(serializers.ModelSerializer):
    sections = SectionSerializer(many=True, read_only=True)

    class Meta:
        model = ScorecardVersion
        fields = ["id", "number", "coaching_threshold", "created_at", "sections"]
        read_only_fields = fields


# --- templates -----------------------------------------------------------------------------------


class TemplateSerializer(serializers.ModelSerializer):
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = ScorecardTemplate
        fields = [
            "id",
            "name",
            *translated("name"),
            "scenario",
            "description",
            *translated("description"),
            "is_active",
            "current_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_current_version(self, template):
        versions = template.current_versions
        return VersionSerializer(versions[0]).data if versions else None


class CriterionInputSerializer(TranslatedInputSerializer):
    translatable = {"text": {"max_length": 250}, "guidance": {}}

    kind = serializers.ChoiceField(choices=Criterion.Kind.choices, default=Criterion.Kind.YES_NO)
    weight = serializers.IntegerField(min_value=0, max_value=10, default=1)
    target_minutes = serializers.IntegerField(
        min_value=1,
        max_value=600,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Only for minutes waited: full marks up to this, none at twice as long."),
    )
    is_critical = serializers.BooleanField(default=False)


class SectionInputSerializer(TranslatedInputSerializer):
    translatable = {"title": {"max_length": 150}}

    criteria = CriterionInputSerializer(many=True)


class TemplateWriteSerializer(TranslatedInputSerializer):
    translatable = {"name": {"max_length": 150}, "description": {}}

    scenario = serializers.ChoiceField(choices=Scenario.choices)
    coaching_threshold = serializers.IntegerField(
        min_value=0, max_value=100, default=DEFAULT_COACHING_THRESHOLD
    )
    is_active = serializers.BooleanField(default=True)
    sections = SectionInputSerializer(
        many=True,
        help_text=_(
            "The questions. Changing those of a version that assignments use makes a new version. "
            "They replace the version's questions in every language: send each language's text "
            "(text_de, text_en), a language left out is emptied."
        ),
    )


@extend_schema_view(
    create=extend_schema(request=TemplateWriteSerializer, responses={201: TemplateSerializer}),
    update=extend_schema(request=TemplateWriteSerializer, responses=TemplateSerializer),
)
class ScorecardTemplateViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Scorecard templates with their current version's sections and criteria (staff); quality
    managers and administrators create and change them (a used version is never changed)."""

    serializer_class = TemplateSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    lookup_value_regex = r"\d+"
    filterset_fields = ["scenario", "is_active"]
    search_fields = translated("name", "description")
    ordering_fields = ["name", "scenario", "updated_at"]
    ordering = ["scenario", "name"]
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        newer = ScorecardVersion.objects.filter(
            template=OuterRef("template"), number__gt=OuterRef("number")
        )
        return ScorecardTemplate.objects.prefetch_related(
            Prefetch(
                "versions",
                ScorecardVersion.objects.filter(~Exists(newer)).prefetch_related(
                    selectors.structure_prefetch()
                ),
                to_attr="current_versions",
            )
        )

    def create(self, request):
        data = self._input(request)
        template = services.create_template(by=request.user, **data)
        return Response(self._read(template), status=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        template = self.get_object()
        data = self._input(request)
        is_active = data.pop("is_active")
        template = services.update_template(template=template, by=request.user, **data)
        if template.is_active != is_active:
            services.set_template_active(template=template, by=request.user, active=is_active)
        return Response(self._read(template))

    def _input(self, request):
        serializer = TemplateWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _read(self, template):
        return self.get_serializer(self.get_queryset().get(pk=template.pk)).data


# --- assignments ---------------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    scenario = serializers.CharField(source="template.scenario", read_only=True)
    template_name = serializers.CharField(source="template.name", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    shopper_name = serializers.StringRelatedField(source="shopper", read_only=True)
    employee_name = serializers.StringRelatedField(source="employee", read_only=True)
    state = serializers.ChoiceField(choices=selectors.AssignmentState.choices, read_only=True)
    result = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = MysteryShopAssignment
        fields = [
            "id",
            "template",
            "template_name",
            "scenario",
            "version",
            "version_number",
            "branch",
            "branch_name",
            "shopper",
            "shopper_name",
            "employee",
            "employee_name",
            "window_start",
            "window_end",
            "instructions",
            "state",
            "result",
            "cancelled_at",
            "created_at",
        ]
        read_only_fields = fields


class StaffMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name"]
        read_only_fields = fields


class AssignmentDetailSerializer(AssignmentSerializer):
    questions = VersionSerializer(source="version", read_only=True)
    branch_staff = serializers.SerializerMethodField(
        help_text=_("Who may have served the shopper (for the result's served_by).")
    )

    class Meta(AssignmentSerializer.Meta):
        fields = [*AssignmentSerializer.Meta.fields, "questions", "branch_staff"]
        read_only_fields = fields

    @extend_schema_field(StaffMemberSerializer(many=True))
    def get_branch_staff(self, assignment):
        return StaffMemberSerializer(selectors.branch_staff([assignment.branch_id]), many=True).data


def _shoppers(user):
    return selectors.shoppers()


class AssignmentCreateSerializer(serializers.Serializer):
    template = serializers.PrimaryKeyRelatedField(
        queryset=ScorecardTemplate.objects.filter(is_active=True),
        help_text=_("An active scorecard; the assignment keeps its current version."),
    )
    shopper = VisiblePrimaryKeyRelatedField(queryset=User.objects.all(), scope=_shoppers)
    branch = BranchField(scope=selectors.visible_branches, help_text=_("The branch to visit."))
    window_start = serializers.DateField()
    window_end = serializers.DateField()
    employee = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.all(),
        scope=selectors.observable_staff,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Optional: someone who meets customers in the branch."),
    )
    instructions = serializers.CharField(required=False, allow_blank=True, default="")


class AssignmentListQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=selectors.AssignmentState.choices, required=False)
    branch = serializers.IntegerField(required=False)
    scenario = serializers.ChoiceField(choices=Scenario.choices, required=False)
    shopper = serializers.IntegerField(required=False)
    ordering = serializers.ChoiceField(choices=list(selectors.ASSIGNMENT_ORDERINGS), required=False)


@extend_schema_view(
    list=extend_schema(parameters=[AssignmentListQuerySerializer]),
    retrieve=extend_schema(responses=AssignmentDetailSerializer),
    create=extend_schema(
        request=AssignmentCreateSerializer, responses={201: AssignmentDetailSerializer}
    ),
)
class AssignmentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Mystery-shop assignments: a shopper's token sees only their own (with the questions and the
    branch's staff to answer them); staff see their branches'. Quality managers create them."""

    serializer_class = AssignmentSerializer
    permission_classes = SHOPPER_OR_STAFF
    lookup_value_regex = r"\d+"
    filter_backends = []
    action_permissions = {"cancel": {"POST": CHANGE_ASSIGNMENT}}

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AssignmentDetailSerializer
        return AssignmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema has no caller to scope to
            return MysteryShopAssignment.objects.none()
        return selectors.assignment_list(self.request.user).prefetch_related(
            selectors.structure_prefetch("version__sections")
        )

    def list(self, request):
        query = AssignmentListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        # branch and shopper are ids, which the selector's filters take as well as objects.
        assignments = selectors.assignment_list(request.user, **query.validated_data)
        page = self.paginate_queryset(assignments)
        return self.get_paginated_response(AssignmentSerializer(page, many=True).data)

    def create(self, request):
        if not is_staff_member(request.user):
            self.permission_denied(request)
        serializer = AssignmentCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        assignment = services.create_assignment(by=request.user, **serializer.validated_data)
        return Response(self._read(assignment), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=AssignmentDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel an assignment while no result was submitted; the shopper is told."""
        assignment = services.cancel_assignment(assignment=self.get_object(), by=request.user)
        return Response(self._read(assignment))

    def _read(self, assignment):
        return AssignmentDetailSerializer(self.get_queryset().get(pk=assignment.pk)).data


# --- results -------------------------------------------------------------------------------------


class AnswerSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(
        source="criterion_id", help_text=_("Id of a criterion of the assignment's version.")
    )
    met = serializers.BooleanField(required=False, allow_null=True, default=None)
    rating = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True, default=None
    )
    minutes = serializers.IntegerField(
        min_value=0, max_value=services.MAX_MINUTES, required=False, allow_null=True, default=None
    )
    not_applicable = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    points = serializers.DecimalField(
        max_digits=4, decimal_places=3, read_only=True, allow_null=True
    )


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResultAttachment
        fields = ["id", "name", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


class ResultSerializer(serializers.ModelSerializer):
    served_by_name = serializers.StringRelatedField(source="served_by", read_only=True)
    answers = AnswerSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = MysteryShopResult
        fields = [
            "id",
            "assignment",
            "status",
            "visited_at",
            "served_by",
            "served_by_name",
            "served_by_description",
            "comments",
            "answers",
            "attachments",
            "score",
            "section_scores",
            "critical_failed",
            "submitted_at",
            "review_question",
            "reviewed_at",
            "accepted_at",
            "updated_at",
        ]
        read_only_fields = fields


def _own_assignments(user):
    return MysteryShopAssignment.objects.visible_to(user).filter(shopper=user)


class ResultUpdateSerializer(serializers.Serializer):
    """The shopper's entries; on update, fields left out stay as they were."""

    visited_at = serializers.DateTimeField(required=False, allow_null=True)
    served_by = serializers.PrimaryKeyRelatedField(
        queryset=branch_staff(),
        required=False,
        allow_null=True,
        help_text=_("One of the assignment's branch_staff."),
    )
    served_by_description = serializers.CharField(required=False, allow_blank=True, max_length=250)
    comments = serializers.CharField(required=False, allow_blank=True)
    answers = AnswerSerializer(
        many=True, required=False, help_text=_("Replaces the answers to the criteria given.")
    )

    def service_arguments(self):
        data = dict(self.validated_data)
        data.pop("assignment", None)
        if "answers" in data:
            answers = [dict(answer) for answer in data["answers"]]
            data["answers"] = {answer.pop("criterion_id"): answer for answer in answers}
        return data


class ResultWriteSerializer(ResultUpdateSerializer):
    assignment = VisiblePrimaryKeyRelatedField(
        queryset=MysteryShopAssignment.objects.all(),
        scope=_own_assignments,
        help_text=_("One of your assignments."),
    )


class QuestionSerializer(serializers.Serializer):
    question = serializers.CharField(help_text=_("What the shopper should clarify."))


@extend_schema_view(
    create=extend_schema(request=ResultWriteSerializer, responses={201: ResultSerializer}),
    update=extend_schema(request=ResultUpdateSerializer, responses=ResultSerializer),
    partial_update=extend_schema(request=ResultUpdateSerializer, responses=ResultSerializer),
)
class ResultViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Mystery-shop results. A shopper creates and changes the draft of their own assignment's
    result and submits it (then it is locked); staff read their branches' submitted results and
    quality managers accept them or send them back with a question."""

    serializer_class = ResultSerializer
    permission_classes = SHOPPER_OR_STAFF
    lookup_value_regex = r"\d+"
    filterset_fields = ["status"]
    search_fields = []
    ordering_fields = ["submitted_at", "visited_at", "score"]
    action_permissions = {
        "submit": {"POST": CHANGE_RESULT},
        "accept": {"POST": REVIEW},
        "return_result": {"POST": REVIEW},
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema has no caller to scope to
            return MysteryShopResult.objects.none()
        user = self.request.user
        if is_staff_member(user):
            results = selectors.result_list(user)
        else:
            results = selectors.shopper_results(user)
        return results.prefetch_related("answers", "attachments")

    def create(self, request):
        serializer = ResultWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        result = services.save_result(
            assignment=serializer.validated_data["assignment"],
            by=request.user,
            **serializer.service_arguments(),
        )
        return Response(self._read(result), status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        result = self.get_object()
        serializer = ResultUpdateSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        result = services.save_result(
            assignment=result.assignment, by=request.user, **serializer.service_arguments()
        )
        return Response(self._read(result))

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    @extend_schema(request=None, responses=ResultSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the result (everything required answered); it is scored and locked."""
        try:
            result = services.submit_result(result=self.get_object(), by=request.user)
        except services.ResultIncomplete as incomplete:
            raise ValidationError(
                {name: [message] for name, message in incomplete.errors.items()}
            ) from incomplete
        return Response(self._read(result))

    @extend_schema(request=None, responses=ResultSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept a submitted result; below the threshold it opens coaching for who served."""
        result = services.accept_result(result=self.get_object(), by=request.user)
        return Response(self._read(result))

    @extend_schema(request=QuestionSerializer, responses=ResultSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_result(self, request, pk=None):
        """Send a submitted result back to the shopper with a question."""
        result = self.get_object()
        serializer = QuestionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.return_result(result=result, by=request.user, **serializer.validated_data)
        return Response(self._read(result))

    def _read(self, result):
        read = MysteryShopResult.objects.prefetch_related("answers", "attachments").get(
            pk=result.pk
        )
        return self.get_serializer(read).data
