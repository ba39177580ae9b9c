"""REST API of quality audits: templates, audits (plan, answers, submit, sign-off), findings and
corrective actions (complete, verify, reopen). As thin as the views, on the same services and
selectors; ids in the input are looked up among what the caller may see."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aftersales.api import STAFF_WITH_MODEL_PERMISSIONS, BranchField, VisiblePrimaryKeyRelatedField
from aftersales.models import Branch, User
from aftersales.translated import TranslatedInputSerializer, translated
from quality.audits import selectors, services
from quality.audits.models import (
    Area,
    Audit,
    AuditAnswer,
    AuditItem,
    AuditSection,
    AuditTemplate,
    CorrectiveAction,
    Finding,
    FindingSeverity,
)

# --- templates ----------------------------------------------------------------------------------


class AuditItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditItem
        fields = [
            "id",
            "text",
            *translated("text"),
            "kind",
            "weight",
            "guidance",
            *translated("guidance"),
            "target_value",
            "unit",
            "higher_is_better",
            "is_critical",
        ]


class AuditSectionSerializer(serializers.ModelSerializer):
    items = AuditItemSerializer(many=True, read_only=True)

    class Meta:
        model = AuditSection
        fields = ["id", "title", *translated("title"), "items"]


class AuditTemplateSerializer(serializers.ModelSerializer):
    version = serializers.SerializerMethodField()
    pass_threshold = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField()

    class Meta:
        model = AuditTemplate
        fields = [
            "id",
            "name",
            *translated("name"),
            "area",
            "description",
            *translated("description"),
            "is_active",
            "version",
            "pass_threshold",
            "sections",
        ]

    def _version(self, template):
        return template.current_version()

    def get_version(self, template) -> int | None:
        version = self._version(template)
        return version.number if version else None

    def get_pass_threshold(self, template) -> int | None:
        version = self._version(template)
        return version.pass_threshold if version else None

    @extend_schema(responses=AuditSectionSerializer(many=True))
    def get_sections(self, template) -> list[dict]:
        version = self._version(template)
        if version is None:
            return []
        return AuditSectionSerializer(selectors.version_sections(version.pk), many=True).data


class AuditItemInputSerializer(TranslatedInputSerializer):
    translatable = {"text": {"max_length": 250}, "guidance": {}}

    kind = serializers.ChoiceField(choices=AuditItem.Kind.choices, default=AuditItem.Kind.YES_NO)
    weight = serializers.IntegerField(min_value=0, max_value=10, default=1)
    target_value = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True
    )
    unit = serializers.CharField(required=False, allow_blank=True, default="")
    higher_is_better = serializers.BooleanField(default=False)
    is_critical = serializers.BooleanField(default=False)


class AuditSectionInputSerializer(TranslatedInputSerializer):
    translatable = {"title": {"max_length": 150}}

    items = AuditItemInputSerializer(many=True)


class AuditTemplateInputSerializer(TranslatedInputSerializer):
    translatable = {"name": {"max_length": 150}, "description": {}}

    area = serializers.ChoiceField(choices=Area.choices)
    pass_threshold = serializers.IntegerField(min_value=0, max_value=100, default=80)
    sections = AuditSectionInputSerializer(
        many=True,
        help_text=_(
            "The items. They replace the version's items in every language: send each language's "
            "text (text_de, text_en), a language left out is emptied."
        ),
    )


class AuditTemplateViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Audit templates per business area with the items of their current version. Creating or
    changing one goes through the services: a version in use is never changed (a new one is)."""

    serializer_class = AuditTemplateSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    queryset = AuditTemplate.objects.all()
    filterset_fields = ["area", "is_active"]

    def get_queryset(self):
        return selectors.templates()

    @extend_schema(request=AuditTemplateInputSerializer, responses={201: AuditTemplateSerializer})
    def create(self, request):
        data = AuditTemplateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.create_template(by=request.user, **data.validated_data)
        return Response(self.get_serializer(template).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AuditTemplateInputSerializer, responses=AuditTemplateSerializer)
    def update(self, request, pk=None):
        template = self.get_object()
        data = AuditTemplateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("area")
        template = services.update_template(template=template, by=request.user, **values)
        return Response(self.get_serializer(template).data)


# --- audits -------------------------------------------------------------------------------------


class AuditAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditAnswer
        fields = ["item", "met", "rating", "value", "not_applicable", "note", "points"]
        read_only_fields = ["points"]


class AuditSerializer(serializers.ModelSerializer):
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    answers = AuditAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Audit
        fields = [
            "id",
            "branch",
            "branch_name",
            "template",
            "version_number",
            "area",
            "due_on",
            "auditor",
            "status",
            "overdue",
            "score",
            "section_scores",
            "critical_failed",
            "passed",
            "notes",
            "started_at",
            "submitted_at",
            "signed_off_at",
            "signed_off_by",
            "answers",
        ]
        read_only_fields = fields


class AuditPlanSerializer(serializers.Serializer):
    branch = BranchField(scope=Branch.objects.visible_to, help_text=_("The branch audited."))
    template = serializers.PrimaryKeyRelatedField(
        queryset=AuditTemplate.objects.filter(is_active=True)
    )
    due_on = serializers.DateField()
    auditor = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.all(), scope=selectors.auditors, required=False, allow_null=True
    )


class AuditAnswerInputSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    met = serializers.BooleanField(required=False, allow_null=True, default=None)
    rating = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    value = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True
    )
    not_applicable = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AuditSaveAuditSerializer(serializers.Serializer):
    answers = AuditAnswerInputSerializer(many=True, required=False, default=list)
    notes = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


class AuditNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AuditViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The audit plan and the audits of the caller's branches: plan (create), save answers,
    submit (scored; each failed item becomes a finding), sign off (locked)."""

    serializer_class = AuditSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    queryset = Audit.objects.all()
    filterset_fields = ["branch", "area", "status"]
    action_permissions = {
        "answers": {"POST": ["quality.change_audit"]},
        "submit": {"POST": ["quality.change_audit"]},
        "sign_off": {"POST": ["quality.sign_off_audit"]},
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Audit.objects.none()
        return (
            selectors.audits_visible_to(self.request.user)
            .select_related("branch", "version")
            .prefetch_related("answers")
            .order_by("due_on", "pk")
        )

    def _read(self, audit):
        return self.get_serializer(self.get_queryset().get(pk=audit.pk)).data

    @extend_schema(request=AuditPlanSerializer, responses={201: AuditSerializer})
    def create(self, request):
        data = AuditPlanSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        audit = services.plan_audit(by=request.user, **data.validated_data)
        return Response(self._read(audit), status=status.HTTP_201_CREATED)

    @extend_schema(request=AuditSaveAuditSerializer, responses=AuditSerializer)
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        """Save answers so far (the audit can be resumed later)."""
        audit = self.get_object()
        data = AuditSaveAuditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = {entry.pop("item"): entry for entry in data.validated_data["answers"]}
        audit = services.save_audit(
            audit=audit, by=request.user, answers=answers, notes=data.validated_data["notes"]
        )
        return Response(self._read(audit))

    @extend_schema(request=None, responses=AuditSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Score the audit; every failed item becomes a finding."""
        try:
            audit = services.submit_audit(audit=self.get_object(), by=request.user)
        except services.AuditIncomplete as error:
            return Response(error.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(self._read(audit))

    @extend_schema(request=AuditNoteSerializer, responses=AuditSerializer)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        """The quality manager's sign-off; the audit is locked afterwards."""
        audit = self.get_object()
        data = AuditNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        audit = services.sign_off_audit(audit=audit, by=request.user, **data.validated_data)
        return Response(self._read(audit))


# --- findings and corrective actions ------------------------------------------------------------


class AuditActionSerializer(serializers.ModelSerializer):
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "finding",
            "description",
            "owner",
            "owner_name",
            "due_on",
            "status",
            "overdue",
            "completion_note",
            "completed_at",
            "verified_at",
            "verified_by",
            "verification_note",
            "reopened_count",
        ]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    actions = AuditActionSerializer(many=True, read_only=True)
    complaints = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "audit",
            "item",
            "branch",
            "area",
            "severity",
            "title",
            *translated("title"),
            "description",
            "evidence",
            "status",
            "closed_at",
            "created_at",
            "actions",
            "complaints",
        ]
        read_only_fields = fields


class FindingInputSerializer(serializers.Serializer):
    branch = BranchField(
        scope=Branch.objects.visible_to, help_text=_("The branch the finding is about.")
    )
    area = serializers.ChoiceField(choices=Area.choices)
    title = serializers.CharField(max_length=250)
    severity = serializers.ChoiceField(
        choices=FindingSeverity.choices, default=FindingSeverity.MAJOR
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.CharField(required=False, allow_blank=True, default="")


class FindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Findings the caller may see (quality managers and managers: their branches'; others: the
    ones behind their complaints or with an action of theirs), with actions and complaints."""

    serializer_class = FindingSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    queryset = Finding.objects.all()
    filterset_fields = ["branch", "area", "severity", "status", "audit"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Finding.objects.none()
        return (
            selectors.findings_visible_to(self.request.user)
            .prefetch_related("actions__owner", "complaints")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(request=FindingInputSerializer, responses={201: FindingSerializer})
    def create(self, request):
        data = FindingInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        finding = services.record_finding(by=request.user, **data.validated_data)
        return Response(self.get_serializer(finding).data, status=status.HTTP_201_CREATED)


class AuditActionInputSerializer(serializers.Serializer):
    finding = VisiblePrimaryKeyRelatedField(
        queryset=Finding.objects.all(), scope=selectors.findings_visible_to
    )
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    description = serializers.CharField()
    due_on = serializers.DateField()


class AuditCompleteSerializer(serializers.Serializer):
    note = serializers.CharField(help_text=_("What was done: the evidence."))


class AuditReopenSerializer(serializers.Serializer):
    note = serializers.CharField(help_text=_("Why verification failed."))
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class CorrectiveActionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Corrective actions: quality managers and managers see their branches', everyone their
    own. Assign (create), complete (the owner), verify or reopen (the quality manager)."""

    serializer_class = AuditActionSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    queryset = CorrectiveAction.objects.all()
    filterset_fields = ["status", "owner", "finding"]
    action_permissions = {
        "complete": {"POST": ["quality.change_correctiveaction"]},
        "verify": {"POST": ["quality.verify_correctiveaction"]},
        "reopen": {"POST": ["quality.verify_correctiveaction"]},
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CorrectiveAction.objects.none()
        return (
            CorrectiveAction.objects.visible_to(self.request.user)
            .select_related("owner", "finding")
            .order_by("due_on", "pk")
        )

    def _read(self, action):
        return self.get_serializer(self.get_queryset().get(pk=action.pk)).data

    @extend_schema(request=AuditActionInputSerializer, responses={201: AuditActionSerializer})
    def create(self, request):
        data = AuditActionInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        action = services.add_corrective_action(by=request.user, **data.validated_data)
        return Response(self._read(action), status=status.HTTP_201_CREATED)

    @extend_schema(request=AuditCompleteSerializer, responses=AuditActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """The owner completes the action, with the evidence."""
        action = self.get_object()
        data = AuditCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = services.complete_action(action=action, by=request.user, **data.validated_data)
        return Response(self._read(action))

    @extend_schema(request=AuditNoteSerializer, responses=AuditActionSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """The quality manager verifies a completed action."""
        action = self.get_object()
        data = AuditNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = services.verify_action(action=action, by=request.user, **data.validated_data)
        return Response(self._read(action))

    @extend_schema(request=AuditReopenSerializer, responses=AuditActionSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Verification failed: back to the owner, the reminders start again."""
        action = self.get_object()
        data = AuditReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = services.reopen_action(action=action, by=request.user, **data.validated_data)
        return Response(self._read(action))
