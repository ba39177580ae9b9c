"""REST API of the quality app: complaints and their workflow, customers' dissonance scores, and
the key figures of the dissonance dashboard.

As thin as the browser views: `quality.services` decides and writes (a DomainError becomes a 400
in `aftersales.api`); `quality.selectors` decides what a caller may see (their branches; sales
staff only their own customers). Related ids in the input are looked up only among the objects the
caller can see, so another branch's customer is "does not exist" (400), never a leak.
"""

from django.db.models import BooleanField, Case, Prefetch, Value, When
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api import (
    STAFF_WITH_MODEL_PERMISSIONS,
    IsStaffMember,
    LeanRepresentation,
    VisiblePrimaryKeyRelatedField,
    columns_of,
    own_columns,
)
from aftersales.models import USER_NAME_FIELDS, Branch, User
from aftersales.translated import translated
from customers.models import CUSTOMER_NAME_FIELDS, Customer, Purchase
from quality import dashboard, selectors, services
from quality import texts as quality_texts
from quality.models import (
    Complaint,
    ComplaintCategory,
    ComplaintCorrection,
    DissonanceScore,
    DissonanceSignal,
    Level,
    Nature,
    Severity,
)

DASHBOARD_PERMISSION = "quality.view_dissonance_dashboard"
CHANGE_COMPLAINT = ["quality.change_complaint"]

# --- lookups scoped to the caller ---------------------------------------------------------------


def visible_branches(user):
    return Branch.objects.visible_to(user)


def visible_customers(user):
    return Customer.objects.visible_to(user)


def visible_purchases(user):
    return Purchase.objects.visible_to(user)


def with_breached(complaints):
    """Whether each complaint has missed a deadline, by the list filter's own rule (a CASE,
    because the rule compares nullable times and SQL would answer NULL for "no")."""
    return complaints.annotate(
        is_breached=Case(
            When(selectors.breached_q(timezone.now()), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


# --- complaints ----------------------------------------------------------------------------------

# The columns a page of the list reads: the complaints' own, and of their customer, branch,
# category and owner only what their names are made of. Whole rows of those (the customer's 31
# columns) cost more CPU to load than the rest of the page.
LIST_COLUMNS = [
    *own_columns(Complaint),
    *columns_of("customer", CUSTOMER_NAME_FIELDS),
    "branch__name",
    *columns_of("category", ("parent", "name", *translated("name"))),
    *columns_of("category__parent", ("name", *translated("name"))),
    *columns_of("owner", USER_NAME_FIELDS),
]


class TimeLeftSerializer(LeanRepresentation, serializers.Serializer):
    deadline = serializers.ChoiceField(
        source="kind",
        choices=[("acknowledge", _("acknowledge")), ("resolve", _("resolve"))],
        help_text=_("Which deadline comes next."),
    )
    due_at = serializers.DateTimeField()
    seconds = serializers.IntegerField(help_text=_("Seconds left; negative once overdue."))
    overdue = serializers.BooleanField()


class ComplaintSerializer(LeanRepresentation, serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.display_name", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    category_name = serializers.StringRelatedField(source="category", read_only=True)
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)
    breached = serializers.BooleanField(
        source="is_breached",
        read_only=True,
        help_text=_("Open and past its acknowledgement or resolution deadline."),
    )
    time_left = serializers.SerializerMethodField(
        help_text=_("The next deadline of an open complaint; null once resolved or closed.")
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
            "customer",
            "customer_name",
            "purchase",
            "branch",
            "branch_name",
            "channel",
            "received_at",
            "category",
            "category_name",
            "nature",
            "severity",
            "description",
            "owner",
            "owner_name",
            "status",
            "acknowledge_due_at",
            "resolve_due_at",
            "breached",
            "time_left",
            "acknowledged_at",
            "resolved_at",
            "closed_at",
            "resolution",
            "resolution_notes",
            "customer_satisfied",
            "reopened_count",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(TimeLeftSerializer(allow_null=True))
    def get_time_left(self, complaint):
        left = selectors.time_left(complaint)
        return None if left is None else self._time_left.to_representation(left)

    @cached_property
    def _time_left(self):
        # One for the whole page: a serializer of its own per row cost more than the row.
        return TimeLeftSerializer()


class ComplaintCreateSerializer(serializers.Serializer):
    customer = VisiblePrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        scope=visible_customers,
        help_text=_("A customer of the branches you work in."),
    )
    purchase = VisiblePrimaryKeyRelatedField(
        queryset=Purchase.objects.all(),
        scope=visible_purchases,
        required=False,
        allow_null=True,
        help_text=_("The purchase complained of, if any: one of this customer's."),
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=ComplaintCategory.objects.filter(is_active=True),
        help_text=_("An active complaint category (noise, paint and finish, function, ...)."),
    )
    channel = serializers.ChoiceField(choices=Complaint.Channel.choices)
    received_at = serializers.DateTimeField(
        required=False, help_text=_("When the complaint came in; default now.")
    )
    nature = serializers.ChoiceField(
        choices=Nature.choices,
        default=Nature.UNKNOWN,
        help_text=_("An objective defect, a subjective perception, or not yet known."),
    )
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    description = serializers.CharField(help_text=_("What the customer said, in their words."))
    owner = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.all(),
        scope=selectors.complaint_staff_for,
        required=False,
        allow_null=True,
        help_text=_("Who works the complaint: a colleague in your branches; default you."),
    )
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text=_("Photos, PDFs or text files (multipart only), at most 10 MB each."),
    )


class ComplaintNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ComplaintResolveSerializer(serializers.Serializer):
    resolution = serializers.ChoiceField(
        choices=Complaint.Resolution.choices, help_text=_("What was done.")
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    customer_satisfied = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Is the customer satisfied with it? false reopens the complaint and counts as a new "
            "dissonance signal; omit or null when not yet known."
        ),
    )


class ComplaintCorrectSerializer(serializers.Serializer):
    """What to correct: any of the five facts (those left out stay as they are), and why."""

    reason = serializers.CharField(
        max_length=1000, help_text=_("Why the complaint is corrected; kept in its history.")
    )
    customer = VisiblePrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        scope=visible_customers,
        required=False,
        help_text=_(
            "The customer the complaint is really from, of the branches you work in; give one of "
            "their purchases (or null) with them."
        ),
    )
    purchase = VisiblePrimaryKeyRelatedField(
        queryset=Purchase.objects.all(),
        scope=visible_purchases,
        required=False,
        allow_null=True,
        help_text=_("The purchase complained of, one of the customer's; null for none."),
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=ComplaintCategory.objects.all(),
        required=False,
        help_text=_("A complaint category in use (the complaint's own may stay)."),
    )
    nature = serializers.ChoiceField(choices=Nature.choices, required=False)
    severity = serializers.ChoiceField(
        choices=Severity.choices,
        required=False,
        help_text=_("A new severity sets the deadlines again."),
    )


class CorrectedFactSerializer(serializers.Serializer):
    field = serializers.ChoiceField(
        choices=list(selectors.CORRECTED_FIELDS),
        help_text=_("What changed; the branch and owner can follow a new customer or purchase."),
    )
    label = serializers.CharField()
    before = serializers.CharField(help_text=_("What it was, in words."))
    after = serializers.CharField(help_text=_("What it is now, in words."))
    # The stored values: ids, or the nature's and severity's values.
    before_value = serializers.SerializerMethodField()
    after_value = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_before_value(self, fact):
        return self.context["changes"][fact.field]["from"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_after_value(self, fact):
        return self.context["changes"][fact.field]["to"]


class ComplaintCorrectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="correction.pk")
    at = serializers.DateTimeField(source="correction.at")
    by = serializers.IntegerField(source="correction.by_id", allow_null=True)
    by_name = serializers.CharField(source="correction.by", allow_null=True)
    reason = serializers.CharField(source="correction.reason")
    changes = serializers.SerializerMethodField()

    @extend_schema_field(CorrectedFactSerializer(many=True))
    def get_changes(self, entry):
        return CorrectedFactSerializer(
            entry.facts, many=True, context={"changes": entry.correction.changes}
        ).data


class ComplaintDetailSerializer(ComplaintSerializer):
    """One complaint, with the corrections made to what was recorded, oldest first."""

    corrections = serializers.SerializerMethodField()

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "corrections"]
        read_only_fields = fields

    @extend_schema_field(ComplaintCorrectionSerializer(many=True))
    def get_corrections(self, complaint):
        entries = selectors.complaint_corrections(self.context["request"].user, complaint)
        return ComplaintCorrectionSerializer(entries, many=True).data


class ComplaintListQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False, allow_blank=True, help_text=_("The customer's name, e-mail or phone.")
    )
    status = serializers.ChoiceField(
        choices=[("open", _("open (new, acknowledged or in progress)")), *Complaint.Status.choices],
        required=False,
        allow_blank=True,
    )
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, allow_blank=True)
    category = serializers.IntegerField(
        required=False, help_text=_("Category id; a parent category includes its children.")
    )
    nature = serializers.ChoiceField(choices=Nature.choices, required=False, allow_blank=True)
    branch = serializers.IntegerField(required=False, help_text=_("Branch id."))
    owner = serializers.IntegerField(required=False, help_text=_("Owner's user id."))
    breached = serializers.BooleanField(
        required=False, help_text=_("Only open complaints past a deadline.")
    )
    ordering = serializers.ChoiceField(
        choices=list(selectors.COMPLAINT_ORDERINGS), required=False, help_text=_("Sort order.")
    )


@extend_schema_view(
    list=extend_schema(parameters=[ComplaintListQuerySerializer]),
    create=extend_schema(request=ComplaintCreateSerializer, responses={201: ComplaintSerializer}),
    retrieve=extend_schema(responses=ComplaintDetailSerializer),
)
class ComplaintViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Complaints of the branches the caller works in (sales staff: of their own customers),
    recorded and moved through new → acknowledged → in progress → resolved → closed (and
    reopened) by the services."""

    serializer_class = ComplaintSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    lookup_value_regex = r"\d+"
    # The list parses its own parameters and hands them to the selector.
    filter_backends = []
    action_permissions = {
        **{
            name: {"POST": CHANGE_COMPLAINT}
            for name in ("acknowledge", "start", "resolve", "close", "reopen")
        },
        "correct": {"POST": [services.CORRECT_PERMISSION]},
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema has no caller to scope to
            return Complaint.objects.none()
        return with_breached(
            selectors.complaints_visible_to(self.request.user).select_related(
                "customer", "branch", "category__parent", "owner"
            )
        )

    def retrieve(self, request, pk=None):
        return Response(self._read(self.get_object(), detail=True))

    def list(self, request):
        query = ComplaintListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        complaints = with_breached(selectors.complaint_list(request.user, **query.validated_data))
        page = self.paginate_queryset(complaints.only(*LIST_COLUMNS))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request):
        serializer = ComplaintCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        complaint = services.record_complaint(by=request.user, **serializer.validated_data)
        return Response(self._read(complaint), status=status.HTTP_201_CREATED)

    @extend_schema(request=ComplaintNoteSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge a new complaint (the customer is told by e-mail if they chose it)."""
        return self._transition(request, services.acknowledge_complaint, ComplaintNoteSerializer)

    @extend_schema(request=ComplaintNoteSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start working on a new or acknowledged complaint."""
        return self._transition(request, services.start_complaint, ComplaintNoteSerializer)

    @extend_schema(request=ComplaintResolveSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Record what was done; a customer not satisfied with it reopens the complaint."""
        return self._transition(request, services.resolve_complaint, ComplaintResolveSerializer)

    @extend_schema(request=ComplaintNoteSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a resolved complaint."""
        return self._transition(request, services.close_complaint, ComplaintNoteSerializer)

    @extend_schema(request=ComplaintNoteSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a resolved or closed complaint, saying why; it counts as a new signal."""
        return self._transition(request, services.reopen_complaint, ComplaintNoteSerializer)

    @extend_schema(
        request=ComplaintCorrectSerializer,
        responses={200: ComplaintDetailSerializer},
        description=_(
            "Correct the customer, purchase, category, nature or severity of an open complaint "
            "(service and quality staff, administrators), saying why: the correction is kept in "
            "the complaint's history, its dissonance signal is weighed again and the customers "
            "concerned are scored again. A closed or resolved complaint is refused (400)."
        ),
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        complaint = self.get_object()
        serializer = ComplaintCorrectSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        complaint = services.correct_complaint(
            complaint=complaint, by=request.user, **serializer.validated_data
        )
        return Response(self._read(complaint, detail=True))

    def _transition(self, request, service, serializer_class):
        complaint = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint = service(complaint=complaint, by=request.user, **serializer.validated_data)
        return Response(self._read(complaint))

    def _read(self, complaint, detail=False):
        """The complaint as the list shows it (with its corrections: as its own page does), read
        back through the scoped queryset."""
        complaints = self.get_queryset()
        if not detail:
            return self.get_serializer(complaints.get(pk=complaint.pk)).data
        complaints = complaints.prefetch_related(
            Prefetch("corrections", ComplaintCorrection.objects.select_related("by"))
        )
        return ComplaintDetailSerializer(
            complaints.get(pk=complaint.pk), context=self.get_serializer_context()
        ).data


# --- dissonance scores ---------------------------------------------------------------------------


class ReasonSerializer(LeanRepresentation, serializers.Serializer):
    signal = serializers.IntegerField(help_text=_("Id of the dissonance signal."))
    kind = serializers.ChoiceField(choices=DissonanceSignal.Kind.choices)
    summary = serializers.CharField(
        help_text=_(
            "The signal in words, in the request's language (Accept-Language), from the "
            "complaint, follow-up or survey answer as they are now."
        )
    )
    occurred_at = serializers.DateTimeField()
    points = serializers.IntegerField(help_text=_("Its points today, after decay and factors."))
    share = serializers.FloatField(help_text=_("Its share of the score, 0–1."))


class DissonanceScoreListSerializer(serializers.ListSerializer):
    """A page of scores loads the signals of all their reasons at once, for the reasons' texts."""

    def to_representation(self, data):
        scores = list(data.all() if hasattr(data, "all") else data)
        self.context["reason_signals"] = quality_texts.reason_signals(
            reason for score in scores for reason in score.reasons
        )
        return super().to_representation(scores)


class DissonanceCustomerSerializer(LeanRepresentation, serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.display_name", read_only=True)
    salesperson = serializers.PrimaryKeyRelatedField(source="customer.salesperson", read_only=True)
    salesperson_name = serializers.StringRelatedField(source="customer.salesperson")
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    reasons = ReasonSerializer(
        many=True, read_only=True, help_text=_("The contributing signals, largest first.")
    )
    recovery_followup_status = serializers.CharField(
        source="recovery_followup.status", read_only=True, default=None, allow_null=True
    )
    recovery_followup_due_date = serializers.DateField(
        source="recovery_followup.due_date", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = DissonanceScore
        fields = [
            "id",
            "customer",
            "customer_name",
            "salesperson",
            "salesperson_name",
            "branch",
            "branch_name",
            "score",
            "level",
            "reasons",
            "computed_at",
            "level_changed_at",
            "recovery_followup",
            "recovery_followup_status",
            "recovery_followup_due_date",
        ]
        read_only_fields = fields
        list_serializer_class = DissonanceScoreListSerializer

    def to_representation(self, instance):
        data = super().to_representation(instance)
        signals = self.context.get("reason_signals")
        if signals is None:
            signals = quality_texts.reason_signals(instance.reasons)
        for stored, reason in zip(instance.reasons, data["reasons"], strict=True):
            reason["summary"] = quality_texts.reason_text(stored, signals)
        return data


# What a page of scores reads of the rows joined to them (see LIST_COLUMNS).
SCORE_COLUMNS = [
    *own_columns(DissonanceScore),
    *columns_of("customer", (*CUSTOMER_NAME_FIELDS, "salesperson")),
    *columns_of("customer__salesperson", USER_NAME_FIELDS),
    "branch__name",
    *columns_of("recovery_followup", ("status", "due_date")),
]


class DissonanceCustomerFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=Level.choices)
    branch = filters.ModelChoiceFilter(
        queryset=lambda request: visible_branches(request.user), label=_("Branch id")
    )
    min_score = filters.NumberFilter(
        field_name="score", lookup_expr="gte", label=_("Score at least (0–100)")
    )

    class Meta:
        model = DissonanceScore
        fields = ["level", "branch", "min_score"]


class DissonanceCustomerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Customers' dissonance scores with their levels and reasons, highest first; one customer's
    by customer id."""

    serializer_class = DissonanceCustomerSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    lookup_field = "customer"
    lookup_value_regex = r"\d+"
    filterset_class = DissonanceCustomerFilter
    search_fields = ["customer__last_name", "customer__first_name", "customer__company_name"]
    ordering_fields = ["score", "computed_at", "level_changed_at"]
    ordering = ["-score", "pk"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema has no caller to scope to
            return DissonanceScore.objects.none()
        return (
            selectors.scores_visible_to(self.request.user)
            .select_related("customer__salesperson", "branch", "recovery_followup")
            .only(*SCORE_COLUMNS)
        )


# --- the dashboard's key figures -----------------------------------------------------------------


class CanSeeDissonanceDashboard(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm(DASHBOARD_PERMISSION)


class DissonanceSummaryQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(
        required=False,
        help_text=_("First day of the period; default 90 days up to date_to."),
    )
    date_to = serializers.DateField(required=False, help_text=_("Last day; default today."))
    branch = VisiblePrimaryKeyRelatedField(
        queryset=Branch.objects.all(),
        scope=visible_branches,
        required=False,
        help_text=_("One of your branches; default all of them."),
    )
    category = serializers.IntegerField(
        required=False, help_text=_("Product category id of the purchases concerned.")
    )
    salesperson = serializers.IntegerField(
        required=False,
        help_text=_("User id of who sold the purchase (else the customer's salesperson)."),
    )

    def validate(self, data):
        date_from, date_to = dashboard.period(data.get("date_from"), data.get("date_to"))
        if date_from > date_to:
            raise serializers.ValidationError(
                {"date_from": _("The period must start on or before its last day.")}
            )
        branch = data.get("branch")
        return dashboard.Filters(
            start=date_from,
            end=date_to,
            branch=branch.pk if branch is not None else None,
            category=data.get("category"),
            salesperson=data.get("salesperson"),
        )


class LevelCountsSerializer(serializers.Serializer):
    low = serializers.IntegerField()
    elevated = serializers.IntegerField()
    high = serializers.IntegerField()
    critical = serializers.IntegerField()


class DissonanceSummarySerializer(serializers.Serializer):
    date_from = serializers.DateField(source="filters.start")
    date_to = serializers.DateField(source="filters.end")
    branch = serializers.IntegerField(source="filters.branch", allow_null=True)
    category = serializers.IntegerField(source="filters.category", allow_null=True)
    salesperson = serializers.IntegerField(source="filters.salesperson", allow_null=True)
    customers_by_level = LevelCountsSerializer(
        source="figures.levels", help_text=_("Customers with a dissonance score, by level now.")
    )
    at_risk_customers = serializers.IntegerField(
        source="figures.at_risk", help_text=_("Customers at high or critical now.")
    )
    new_signals = serializers.IntegerField(
        source="figures.new_signals", help_text=_("Dissonance signals in the period.")
    )
    signal_points = serializers.IntegerField(
        source="figures.signal_points", help_text=_("Their weights added up (before decay).")
    )
    new_complaints = serializers.IntegerField(
        source="figures.complaints", help_text=_("Complaints received in the period.")
    )
    open_complaints = serializers.IntegerField(
        source="figures.open_complaints", help_text=_("Complaints open now.")
    )
    breached_complaints = serializers.IntegerField(
        source="figures.breached",
        help_text=_(
            "Complaints received in the period that missed a deadline (late, or overdue now)."
        ),
    )
    acknowledged_complaints = serializers.IntegerField(source="figures.acknowledged")
    mean_hours_to_acknowledge = serializers.FloatField(
        source="figures.mean_acknowledge_hours", allow_null=True
    )
    resolved_complaints = serializers.IntegerField(source="figures.resolved")
    mean_days_to_resolve = serializers.FloatField(
        source="figures.mean_resolve_days", allow_null=True
    )
    subjective_share = serializers.FloatField(
        source="figures.subjective_share",
        allow_null=True,
        help_text=_("Share (0–1) of the period's complaints that are subjective."),
    )
    survey_answers = serializers.IntegerField(source="figures.surveys")
    nps = serializers.IntegerField(
        source="figures.nps",
        allow_null=True,
        help_text=_("Net promoter score of the period's survey answers (−100 to 100)."),
    )


class DissonanceSummaryView(APIView):
    """The dissonance dashboard's key figures for a period, branch, product category and
    salesperson (managers and quality managers), counted as the dashboard counts them."""

    permission_classes = [permissions.IsAuthenticated, IsStaffMember, CanSeeDissonanceDashboard]

    @extend_schema(
        parameters=[DissonanceSummaryQuerySerializer], responses=DissonanceSummarySerializer
    )
    def get(self, request):
        query = DissonanceSummaryQuerySerializer(
            data=request.query_params, context={"request": request}
        )
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        summary = {"filters": filters, "figures": dashboard.key_figures(request.user, filters)}
        return Response(DissonanceSummarySerializer(summary).data)
