"""REST API of cross-selling: offer rules, offers with the pipeline's actions (present, accept,
decline, reassign) and the figures' summary.

As thin as the browser views: the services in followups.offers.services decide and write (a
DomainError becomes a 400 in aftersales.api), `Offer.objects.visible_to(user)` decides what a
caller may see, followups.offers.figures reads the summary from the roll-ups.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from aftersales.api import STAFF_WITH_MODEL_PERMISSIONS, VisiblePrimaryKeyRelatedField
from aftersales.models import Branch, User
from aftersales.translated import TranslatedFieldsSerializer, translated
from followups.models import ContactChannel
from followups.offers import figures, services
from followups.offers.forms import FiguresFilterForm
from followups.offers.models import DeclineReason, Offer, OfferRule, OfferState
from followups.offers.selectors import rule_choices
from followups.selectors import team_staff

# --- offer rules ---------------------------------------------------------------------------------


class OfferRuleSerializer(TranslatedFieldsSerializer):
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=ContactChannel.choices),
        required=False,
        help_text=_("Channels to present the offer on, preferred first; empty: any."),
    )

    class Meta:
        model = OfferRule
        fields = ["id", *services.RULE_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs):
        # The model's own rules (season complete, min ≤ max, price or discount...) as field
        # errors, before the service saves.
        attrs = super().validate(attrs)
        rule = OfferRule(**{**self._current(), **attrs})
        try:
            rule.full_clean(exclude=["id"])
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY
                    if field == NON_FIELD_ERRORS
                    else field: messages
                    for field, messages in error.message_dict.items()
                }
            ) from error
        return attrs

    def _current(self):
        if self.instance is None:
            return {}
        return {name: getattr(self.instance, name) for name in services.RULE_FIELDS}

    def create(self, validated_data):
        return services.save_offer_rule(by=self.context["request"].user, data=validated_data)

    def update(self, instance, validated_data):
        return services.save_offer_rule(
            by=self.context["request"].user, rule=instance, data=validated_data
        )


class OfferRuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """What to offer to whom and when. Everyone who works offers reads them; administrators
    create and change them (a rule is switched off with `is_active`, never deleted: its offers
    keep it)."""

    serializer_class = OfferRuleSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    lookup_value_regex = r"\d+"
    filterset_fields = ["is_active", "category", "product"]
    search_fields = [*translated("name"), *translated("product__name")]
    ordering_fields = ["name", "priority", "updated_at"]
    ordering = ["-priority", "name", "pk"]

    def get_queryset(self):
        return OfferRule.objects.select_related("category", "product")


# --- offers --------------------------------------------------------------------------------------


def visible_branches(request):
    return Branch.objects.visible_to(request.user)


def staff(request):
    return team_staff(request.user)


class OfferSerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    customer_name = serializers.CharField(source="customer.display_name", read_only=True)
    branch_name = serializers.CharField(source="branch.name", read_only=True)
    assignee_name = serializers.StringRelatedField(source="assignee", read_only=True)
    script = serializers.CharField(source="rule.script", read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "rule",
            "rule_name",
            "customer",
            "customer_name",
            "branch",
            "branch_name",
            "purchase",
            "declined_work",
            "assignee",
            "assignee_name",
            "state",
            "hold_reason",
            "window_start",
            "expires_on",
            "price",
            "script",
            "found_on",
            "suggested_on",
            "presented_at",
            "presented_by",
            "channel",
            "decided_at",
            "decided_on",
            "value",
            "accepted_purchase",
            "decline_reason",
            "decline_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PresentSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(
        choices=ContactChannel.choices, help_text=_("How the offer was presented.")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class AcceptSerializer(serializers.Serializer):
    value = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("What the customer pays; empty: the offer's price."),
    )
    purchase_date = serializers.DateField(required=False, allow_null=True, default=None)
    handover_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("When the customer gets it; its follow-up plan starts on that day."),
    )


class DeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=300,
        help_text=_("In the customer's words; required for “other”."),
    )


class ReassignSerializer(serializers.Serializer):
    assignee = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.all(), scope=team_staff, help_text=_("The new salesperson.")
    )


class OfferFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=OfferState.choices)
    rule = filters.ModelChoiceFilter(queryset=OfferRule.objects.all(), label=_("Rule id"))
    branch = filters.ModelChoiceFilter(queryset=visible_branches, label=_("Branch id"))
    assignee = filters.ModelChoiceFilter(queryset=staff, label=_("Salesperson (user id)"))
    mine = filters.BooleanFilter(method="filter_mine", label=_("Only the caller's own offers"))
    found_from = filters.DateFilter(field_name="found_on", lookup_expr="gte")
    found_to = filters.DateFilter(field_name="found_on", lookup_expr="lte")

    class Meta:
        model = Offer
        fields = ["state", "rule", "branch", "assignee", "mine", "found_from", "found_to"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(assignee=self.request.user) if value else queryset


class CountsSerializer(serializers.Serializer):
    held_back = serializers.IntegerField()
    suggested = serializers.IntegerField()
    presented = serializers.IntegerField()
    accepted = serializers.IntegerField()
    declined = serializers.IntegerField()
    expired = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    conversion_rate = serializers.FloatField(
        allow_null=True, help_text=_("Accepted among the offers decided in the period (0–1).")
    )
    mean_days_to_decision = serializers.FloatField(allow_null=True)


class RowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    counts = CountsSerializer()


class HeldBackSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    offers = serializers.IntegerField()


class ImpulseMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    customers = serializers.ListField(
        child=serializers.IntegerField(),
        help_text=_("Customers with 1, 2, 3 and 4 or more commercial contacts in the month."),
    )


class RetentionSerializer(serializers.Serializer):
    band = serializers.CharField(help_text=_("Vehicle age in years: 0-1, 1-2, 2-3, 3-5, 5+."))
    vehicles = serializers.IntegerField()
    retained = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class BranchRetentionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    bands = RetentionSerializer(many=True)


class RecaptureSerializer(serializers.Serializer):
    declined = serializers.IntegerField()
    recaptured = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class SummarySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    total = CountsSerializer()
    by_rule = RowSerializer(many=True)
    by_branch = RowSerializer(many=True)
    by_salesperson = RowSerializer(many=True)
    held_back = HeldBackSerializer(many=True)
    impulses = ImpulseMonthSerializer(many=True)
    retention = RetentionSerializer(many=True)
    retention_by_branch = BranchRetentionSerializer(many=True)
    retention_on = serializers.DateField(allow_null=True)
    recapture = RecaptureSerializer()


SUMMARY_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description=_("First day (default: 90 days ago)")),
    OpenApiParameter("end", OpenApiTypes.DATE, description=_("Last day (default: today)")),
    OpenApiParameter("branch", int, description=_("Branch id")),
    OpenApiParameter("rule", int, description=_("Rule id")),
]


class OfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Offers of the caller's branches, and the pipeline: present (a commercial contact through
    the contact policy), accept (logs the purchase), decline (a reason), reassign (managers)."""

    serializer_class = OfferSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    lookup_value_regex = r"\d+"
    filterset_class = OfferFilter
    search_fields = ["customer__last_name", "customer__company_name", "rule__name"]
    ordering_fields = ["found_on", "expires_on", "decided_on", "state"]
    ordering = ["-found_on", "-pk"]
    action_permissions = {
        "present": {"POST": ["followups.change_offer"]},
        "accept": {"POST": ["followups.change_offer"]},
        "decline": {"POST": ["followups.change_offer"]},
        "reassign": {"POST": ["followups.reassign_offer"]},
        "summary": {"GET": ["followups.view_offer_figures"]},
    }

    def get_queryset(self):
        return Offer.objects.visible_to(self.request.user).select_related(
            "rule", "customer", "branch", "assignee"
        )

    def _answer(self, offer):
        return Response(self.get_serializer(self.get_queryset().get(pk=offer.pk)).data)

    def _perform(self, request, serializer_class, service):
        offer = self.get_object()
        serializer = serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return self._answer(service(offer=offer, by=request.user, **serializer.validated_data))

    @extend_schema(request=PresentSerializer, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def present(self, request, pk=None):
        """The offer was presented on a channel: refused (400) when the contact policy says no
        (no consent, the cap, an open complaint, outside contact hours)."""
        return self._perform(request, PresentSerializer, services.present_offer)

    @extend_schema(request=AcceptSerializer, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The customer accepts a presented offer: the purchase is logged from it."""
        return self._perform(request, AcceptSerializer, services.accept_offer)

    @extend_schema(request=DeclineSerializer, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The customer declines, with a reason from the list (and words for “other”)."""
        return self._perform(request, DeclineSerializer, services.decline_offer)

    @extend_schema(request=ReassignSerializer, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """Hand an open offer to another salesperson of its branch (managers)."""
        offer = self.get_object()
        serializer = ReassignSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        to = serializer.validated_data["assignee"]
        return self._answer(services.reassign_offer(offer=offer, by=request.user, to=to))

    @extend_schema(parameters=SUMMARY_PARAMETERS, responses=SummarySerializer)
    @action(detail=False, methods=["get"])
    def summary(self, request):
        """The figures page's numbers for a period (managers), read from the roll-ups."""
        form = FiguresFilterForm(
            request.query_params or None,
            branches=Branch.objects.visible_to(request.user),
            rules=rule_choices(),
        )
        if request.query_params and not form.is_valid():
            raise serializers.ValidationError(
                {field: [str(error) for error in errors] for field, errors in form.errors.items()}
            )
        start, end = form.period()
        result = figures.offer_figures(request.user, start=start, end=end, **form.filters())
        return Response(SummarySerializer(result).data)
