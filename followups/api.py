"""REST API of the follow-ups app: follow-ups (mine or the team's) and completing them, playbooks,
survey responses.

As thin as the browser views: `followups.services.complete_followup` decides and writes (a
DomainError becomes a 400 in `aftersales.api`); `visible_to(user)` decides what a caller may see.
The public survey page is not part of the token API.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from aftersales.api import STAFF_WITH_MODEL_PERMISSIONS, LeanRepresentation, columns_of, own_columns
from aftersales.filters import StrictFilterBackend
from aftersales.models import USER_NAME_FIELDS, Branch, User
from aftersales.translated import translated
from customers.models import CUSTOMER_NAME_FIELDS, InvolvementLevel
from followups import selectors, services
from followups.models import (
    FollowUp,
    Playbook,
    PlaybookStep,
    StepKind,
    SurveyInvitation,
    SurveyResponse,
)

TEAM_PERMISSION = "followups.view_team_followups"


class Scope:
    MINE = "mine"
    TEAM = "team"
    CHOICES = [(MINE, _("assigned to me")), (TEAM, _("the whole team of my branches"))]


# --- lookups scoped to the caller ---------------------------------------------------------------


def visible_branches(request):
    return Branch.objects.visible_to(request.user)


def branch_staff(request):
    """Everyone who works (or worked) in the caller's branches: who a follow-up can be assigned
    to. Former staff stay, so that their leftover follow-ups can still be found."""
    return User.objects.filter(branches__in=Branch.objects.visible_to(request.user)).distinct()


# --- follow-ups ----------------------------------------------------------------------------------


class FollowUpListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        return super().to_representation(
            selectors.prepare_texts(data.all() if hasattr(data, "all") else data)
        )


class FollowUpSerializer(LeanRepresentation, serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.display_name", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    assignee_name = serializers.StringRelatedField(source="assignee", read_only=True)
    title = serializers.CharField(
        source="heading",
        read_only=True,
        help_text=_("The title in the request's language (Accept-Language)."),
    )
    instructions = serializers.CharField(
        source="what_to_ask",
        read_only=True,
        help_text=_(
            "What to ask, in the request's language; a recovery call's questions name the "
            "customer's complaints open now."
        ),
    )

    class Meta:
        model = FollowUp
        list_serializer_class = FollowUpListSerializer
        fields = [
            "id",
            "customer",
            "customer_name",
            "purchase",
            "branch",
            "branch_name",
            "step",
            "kind",
            "channel",
            "purpose",
            "title",
            "instructions",
            "assignee_role",
            "assignee",
            "assignee_name",
            "planned_date",
            "due_date",
            "status",
            "attempts",
            "snooze_reason",
            "outcome",
            "satisfaction",
            "notes",
            "concern",
            "completed_at",
            "completed_by",
            "escalated_at",
            "missed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FollowUpCompleteSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        # "Sent" is what the system records for an e-mailed survey, never a person's answer.
        choices=[
            (value, label)
            for value, label in FollowUp.Outcome.choices
            if value != FollowUp.Outcome.SENT
        ],
        help_text=_("How the contact went; “not reached” tries again later."),
    )
    satisfaction = serializers.IntegerField(
        min_value=1,
        max_value=5,
        required=False,
        allow_null=True,
        help_text=_("The customer's satisfaction from 1 (very unhappy) to 5 (very happy)."),
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    concern = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("What worries the customer; required when the outcome is a concern."),
    )


class FollowUpFilter(filters.FilterSet):
    scope = filters.ChoiceFilter(
        choices=Scope.CHOICES,
        method="filter_scope",
        label=_("Whose follow-ups: mine (default) or the team's (managers)"),
    )
    status = filters.ChoiceFilter(choices=FollowUp.Status.choices)
    kind = filters.ChoiceFilter(choices=StepKind.choices)
    due_from = filters.DateFilter(
        field_name="due_date", lookup_expr="gte", label=_("Due on or after this date")
    )
    due_to = filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label=_("Due on or before this date")
    )
    assignee = filters.ModelChoiceFilter(
        queryset=branch_staff, label=_("Assigned to (user id; with scope=team)")
    )
    branch = filters.ModelChoiceFilter(queryset=visible_branches, label=_("Branch id"))

    class Meta:
        model = FollowUp
        fields = ["scope", "status", "kind", "due_from", "due_to", "assignee", "branch"]

    def filter_queryset(self, queryset):
        # "Mine" is the default, so the scope applies even when the parameter is missing.
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("scope"):
            queryset = self.filter_scope(queryset, "scope", Scope.MINE)
        return queryset

    def filter_scope(self, queryset, name, value):
        user = self.request.user
        if value == Scope.TEAM:
            if not user.has_perm(TEAM_PERMISSION):
                raise PermissionDenied(_("Only managers see the follow-ups of the whole team."))
            return queryset
        return queryset.filter(assignee=user)


# The follow-ups' own columns, and of their customer, branch and assignee what the names (and a
# recovery call's texts: the salutation) are made of: whole rows of those took a seventh of the
# list's CPU to load.
FOLLOWUP_COLUMNS = [
    *own_columns(FollowUp),
    *columns_of("customer", CUSTOMER_NAME_FIELDS),
    "branch__name",
    *columns_of("assignee", USER_NAME_FIELDS),
]


class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Follow-ups: the list shows the caller's own unless `scope=team` (managers); one follow-up
    can be read and completed by anyone who works in its branch."""

    serializer_class = FollowUpSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    lookup_value_regex = r"\d+"
    filterset_class = FollowUpFilter
    search_fields = [*translated("title"), "customer__last_name", "customer__company_name"]
    ordering_fields = ["due_date", "status", "kind", "created_at", "completed_at", "customer"]
    ordering = ["due_date", "pk"]
    action_permissions = {"complete": {"POST": ["followups.change_followup"]}}

    def get_queryset(self):
        followups = FollowUp.objects.visible_to(self.request.user).select_related(
            "customer", "branch", "assignee"
        )
        # Reading needs the names only; an action hands whole rows to its service.
        return (
            followups.only(*FOLLOWUP_COLUMNS) if self.action in ("list", "retrieve") else followups
        )

    def filter_queryset(self, queryset):
        # The filters (and the "mine" default) shape the list; a single follow-up is found among
        # all the caller may see, so a colleague can stand in.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(request=FollowUpCompleteSerializer, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Record how the contact went: outcome, satisfaction, notes and, for a concern, what
        worries the customer."""
        followup = self.get_object()
        serializer = FollowUpCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        followup = services.complete_followup(
            followup=followup, by=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=followup.pk)).data)


# --- playbooks -----------------------------------------------------------------------------------


class PlaybookStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlaybookStep
        fields = [
            "id",
            "anchor",
            "offset_days",
            "kind",
            "channel",
            "assignee_role",
            "purpose",
            "title",
            "instructions",
            *translated("title", "instructions"),
        ]
        read_only_fields = fields


class PlaybookSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True, default=None)
    steps = PlaybookStepSerializer(many=True, read_only=True)

    class Meta:
        model = Playbook
        fields = [
            "id",
            "name",
            *translated("name"),
            "category",
            "category_name",
            "involvement",
            "is_active",
            "updated_at",
            "steps",
        ]
        read_only_fields = fields


class PlaybookFilter(filters.FilterSet):
    involvement = filters.ChoiceFilter(
        choices=InvolvementLevel.choices, label=_("Fallback playbook for this involvement level")
    )

    class Meta:
        model = Playbook
        fields = ["category", "involvement", "is_active"]


class PlaybookViewSet(viewsets.ReadOnlyModelViewSet):
    """The follow-up plans per product category (and the fallbacks per involvement level), each
    with its steps; administrators edit them in the browser."""

    serializer_class = PlaybookSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    lookup_value_regex = r"\d+"
    filterset_class = PlaybookFilter
    search_fields = translated("name")
    ordering_fields = ["name", "updated_at"]
    ordering = ["name", "pk"]

    def get_queryset(self):
        return Playbook.objects.select_related("category").prefetch_related("steps")


# --- survey responses ----------------------------------------------------------------------------


class SurveyInvitationSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.display_name", read_only=True)

    class Meta:
        model = SurveyInvitation
        fields = [
            "id",
            "customer",
            "customer_name",
            "purchase",
            "followup",
            "branch",
            "sent_at",
            "expires_at",
            "answered_at",
        ]
        read_only_fields = fields


class SurveyResponseSerializer(serializers.ModelSerializer):
    invitation = SurveyInvitationSerializer(read_only=True)
    is_low = serializers.BooleanField(
        read_only=True, help_text=_("NPS 6 or below, or a satisfaction of 2 or below.")
    )

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "invitation",
            "nps",
            "satisfaction_purchase",
            "satisfaction_handover",
            "comment",
            "callback_wanted",
            "is_low",
            "created_at",
        ]
        read_only_fields = fields


class SurveyResponseFilter(filters.FilterSet):
    branch = filters.ModelChoiceFilter(
        field_name="invitation__branch", queryset=visible_branches, label=_("Branch id")
    )
    customer = filters.NumberFilter(field_name="invitation__customer", label=_("Customer id"))
    low = filters.BooleanFilter(
        method="filter_low", label=_("Only low scores (NPS ≤ 6 or satisfaction ≤ 2), or none")
    )
    answered_from = filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Answered on or after")
    )
    answered_to = filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Answered on or before")
    )

    class Meta:
        model = SurveyResponse
        fields = ["branch", "customer", "low", "callback_wanted", "answered_from", "answered_to"]

    def filter_low(self, queryset, name, value):
        # The same rule as SurveyResponse.is_low, in SQL.
        low = Q(nps__lte=6) | Q(satisfaction_purchase__lte=2) | Q(satisfaction_handover__lte=2)
        return queryset.filter(low) if value else queryset.exclude(low)


class SurveyResponseViewSet(viewsets.ReadOnlyModelViewSet):
    """Customers' survey answers (read-only), for the branches the caller works in."""

    serializer_class = SurveyResponseSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    lookup_value_regex = r"\d+"
    # Answers are found by branch, customer and score; free-text search has nothing to search.
    filter_backends = [StrictFilterBackend, OrderingFilter]
    filterset_class = SurveyResponseFilter
    ordering_fields = ["created_at", "nps"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        return SurveyResponse.objects.filter(
            invitation__in=SurveyInvitation.objects.visible_to(self.request.user)
        ).select_related("invitation__customer")
