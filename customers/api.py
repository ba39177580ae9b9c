"""REST API of the customers app: catalogue, customers with their consent, purchases.

As thin as the browser views: serializers check the shape of the input, the services in
`customers.services` decide and write (a DomainError becomes a 400 in `aftersales.api`), the
selectors and `visible_to(user)` decide what a caller may see. Related ids in the input are looked
up only among the objects the caller can see, so another branch's customer is "does not exist"
(400), never a leak and never a 500.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aftersales import selectors as organisation
from aftersales.api import (
    STAFF_WITH_MODEL_PERMISSIONS,
    BranchField,
    LeanRepresentation,
    VisiblePrimaryKeyRelatedField,
)
from aftersales.models import Branch, User
from aftersales.translated import TranslatedFieldsSerializer, translated
from customers import selectors, services
from customers.models import (
    CONSENT_FIELDS,
    PROFILE_FIELDS,
    Channel,
    ConsentRecord,
    Customer,
    InvolvementLevel,
    Product,
    ProductCategory,
    Purchase,
    PurchaseLine,
)
from customers.service_history.api import DeclinedWorkSerializer, MileageField, mileage_of

# --- lookups scoped to the caller ---------------------------------------------------------------


def visible_branches(user):
    return Branch.objects.visible_to(user)


def visible_customers(user):
    return Customer.objects.visible_to(user)


def colleagues(user):
    """Active staff of the branches the caller may see: who can be named as salesperson."""
    return organisation.team_of(user)


def salesperson_field(**kwargs):
    return VisiblePrimaryKeyRelatedField(
        queryset=User.objects.all(), scope=colleagues, allow_null=True, required=False, **kwargs
    )


def with_lines(purchases):
    """Purchases with their lines and each line's product, and their declined work: three
    queries however many purchases."""
    return purchases.prefetch_related(
        Prefetch("lines", PurchaseLine.objects.select_related("product")), "declined_work"
    )


def visible_purchases(user):
    return Purchase.objects.visible_to(user)


# --- product catalogue ---------------------------------------------------------------------------


class ProductCategorySerializer(TranslatedFieldsSerializer):
    product_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ProductCategory
        fields = [
            "id",
            "name",
            *translated("name"),
            "code",
            "involvement",
            "default_warranty_months",
            "is_active",
            "product_count",
        ]


class ProductSerializer(TranslatedFieldsSerializer):
    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            *translated("name"),
            "category",
            "sku",
            "list_price",
            "currency",
            "is_active",
        ]


class ProductFilter(filters.FilterSet):
    involvement = filters.ChoiceFilter(
        field_name="category__involvement",
        choices=InvolvementLevel.choices,
        label=_("Involvement level of the product's category"),
    )

    class Meta:
        model = Product
        fields = ["category", "is_active", "involvement"]


class ProductCategoryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Product categories; administrators maintain them."""

    serializer_class = ProductCategorySerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    lookup_value_regex = r"\d+"
    filterset_fields = ["is_active", "involvement"]
    search_fields = [*translated("name"), "code"]
    ordering_fields = ["name", "code", "involvement"]

    def get_queryset(self):
        return selectors.categories_with_counts()

    def perform_create(self, serializer):
        category = services.save_product_category(by=self.request.user, **serializer.validated_data)
        # Read back through the selector so the answer has the same shape as the list.
        serializer.instance = self.get_queryset().get(pk=category.pk)

    def perform_update(self, serializer):
        category = services.save_product_category(
            by=self.request.user, category=serializer.instance, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=category.pk)


class ProductViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The product catalogue; administrators maintain it."""

    serializer_class = ProductSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    lookup_value_regex = r"\d+"
    filterset_class = ProductFilter
    search_fields = [*translated("name"), "sku"]
    ordering_fields = ["name", "sku", "list_price", "category__name"]

    def get_queryset(self):
        return selectors.product_catalogue()

    def perform_create(self, serializer):
        serializer.instance = services.save_product(
            by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.save_product(
            by=self.request.user, product=serializer.instance, **serializer.validated_data
        )


# --- customers and consent -----------------------------------------------------------------------


class ConsentSerializer(serializers.ModelSerializer):
    """One consent asked when the customer is created."""

    class Meta:
        model = ConsentRecord
        fields = ["channel", "granted", "source"]


class ConsentRecordSerializer(serializers.ModelSerializer):
    """One grant or withdrawal of marketing consent: the proof."""

    recorded_by_name = serializers.StringRelatedField(source="recorded_by", read_only=True)

    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "channel",
            "granted",
            "source",
            "note",
            "recorded_at",
            "recorded_by",
            "recorded_by_name",
        ]
        read_only_fields = ["recorded_at", "recorded_by"]


class CustomerSerializer(LeanRepresentation, serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    branch = VisiblePrimaryKeyRelatedField(
        queryset=Branch.objects.all(),
        scope=visible_branches,
        help_text=_("Home branch: one of the branches you work in."),
    )
    salesperson = salesperson_field(
        help_text=_("Responsible salesperson: a colleague in your branches.")
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "display_name",
            *PROFILE_FIELDS,
            "branch",
            "salesperson",
            "notes",
            "external_ref",
            *CONSENT_FIELDS,
            "created_at",
            "updated_at",
            "erased_at",
        ]
        read_only_fields = [
            *CONSENT_FIELDS,
            "created_at",
            "updated_at",
            "erased_at",
        ]


class CustomerCreateSerializer(CustomerSerializer):
    branch = BranchField(
        scope=visible_branches, help_text=_("Home branch: one of the branches you work in.")
    )
    consents = ConsentSerializer(
        many=True,
        required=False,
        write_only=True,
        help_text=_("Marketing consent asked while creating the customer, one entry per channel."),
    )
    confirmed_new = serializers.BooleanField(
        default=False,
        write_only=True,
        help_text=_("Create the customer even though similar customers exist (answered with 409)."),
    )

    class Meta(CustomerSerializer.Meta):
        fields = [*CustomerSerializer.Meta.fields, "consents", "confirmed_new"]


class DuplicateCandidateSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "display_name", "email", "postcode"]


class DuplicateCustomerSerializer(serializers.Serializer):
    detail = serializers.CharField()
    candidates = DuplicateCandidateSerializer(many=True)


class CustomerListQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_(
            "Name, e-mail, phone, postcode, city or a purchase identifier; accents and umlaut "
            "spellings do not matter."
        ),
    )
    branch = serializers.IntegerField(required=False, help_text=_("Home branch id."))
    salesperson = serializers.IntegerField(required=False, help_text=_("Salesperson's user id."))
    consent = serializers.ChoiceField(
        choices=[*Channel.choices, ("none", _("no consent at all"))],
        required=False,
        help_text=_("Customers who consented to this channel, or to none."),
    )
    involvement = serializers.ChoiceField(
        choices=InvolvementLevel.choices,
        required=False,
        help_text=_("Customers with a purchase of this involvement level."),
    )
    purchased_from = serializers.DateField(
        required=False, help_text=_("Customers with a purchase on or after this date.")
    )
    purchased_to = serializers.DateField(
        required=False, help_text=_("Customers with a purchase on or before this date.")
    )
    ordering = serializers.ChoiceField(
        choices=list(selectors.CUSTOMER_ORDERINGS), required=False, help_text=_("Sort order.")
    )


@extend_schema_view(
    list=extend_schema(parameters=[CustomerListQuerySerializer]),
    create=extend_schema(
        request=CustomerCreateSerializer,
        responses={
            201: CustomerSerializer,
            409: OpenApiResponse(
                DuplicateCustomerSerializer,
                description=_("Similar customers exist; resend with confirmed_new to create."),
            ),
        },
    ),
)
class CustomerViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Customers of the branches the caller works in (administrators: all)."""

    serializer_class = CustomerSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    lookup_value_regex = r"\d+"
    # The list parses its own parameters and hands them to the selector (full-text search).
    filter_backends = []
    action_permissions = {
        "consents": {"GET": ["customers.view_customer"], "POST": ["customers.add_consentrecord"]}
    }

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user).select_related(
            "branch", "salesperson"
        )

    def get_serializer_class(self):
        return CustomerCreateSerializer if self.action == "create" else CustomerSerializer

    def list(self, request):
        query = CustomerListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        customers = selectors.customer_list(request.user, **query.validated_data)
        page = self.paginate_queryset(customers)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        consents = [
            (consent["channel"], consent["granted"], consent["source"])
            for consent in fields.pop("consents", [])
        ]
        try:
            customer = services.create_customer(by=request.user, consents=consents, **fields)
        except services.DuplicateCustomer as duplicate:
            answer = {"detail": duplicate.message, "candidates": duplicate.candidates}
            return Response(
                DuplicateCustomerSerializer(answer).data, status=status.HTTP_409_CONFLICT
            )
        data = CustomerSerializer(customer, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        customer = self.get_object()
        serializer = self.get_serializer(customer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        customer = services.update_customer(
            customer=customer, by=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(customer).data)

    @extend_schema(methods=["GET"], responses=ConsentRecordSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=ConsentRecordSerializer,
        responses={201: ConsentRecordSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def consents(self, request, pk=None):
        """GET: the customer's consent history, newest first. POST: record a grant or withdrawal."""
        customer = self.get_object()
        if request.method == "GET":
            history = self.paginate_queryset(customer.consents.select_related("recorded_by"))
            return self.get_paginated_response(ConsentRecordSerializer(history, many=True).data)
        serializer = ConsentRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.record_consent(
            customer=customer, by=request.user, **serializer.validated_data
        )
        return Response(ConsentRecordSerializer(record).data, status=status.HTTP_201_CREATED)


# --- purchases -----------------------------------------------------------------------------------


class PurchaseLineSerializer(LeanRepresentation, serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = PurchaseLine
        fields = ["id", "product", "product_name", "quantity", "unit_price", "amount"]


class PurchaseSerializer(LeanRepresentation, serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.display_name", read_only=True)
    lines = PurchaseLineSerializer(many=True, read_only=True)
    mileage = MileageField(
        help_text=_("For a car or a service visit: the car's estimated mileage and next service.")
    )
    declined_work = DeclinedWorkSerializer(many=True, read_only=True)

    class Meta:
        model = Purchase
        fields = [
            "id",
            "customer",
            "customer_name",
            "branch",
            "salesperson",
            "purchase_date",
            "handover_date",
            "identifier",
            "warranty_end",
            "status",
            "total",
            "currency",
            "main_category",
            "notes",
            "lines",
            "vehicle",
            "odometer_km",
            "mileage",
            "declined_work",
            "created_at",
            "updated_at",
            "cancelled_at",
            "cancellation_reason",
        ]
        read_only_fields = fields


class PurchaseLineInputSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.select_related("category")
    )

    class Meta:
        model = PurchaseLine
        fields = ["product", "quantity", "unit_price"]
        # The model's default, given to the service too when the caller leaves it out.
        extra_kwargs = {"quantity": {"default": 1}}


class PurchaseCreateSerializer(serializers.ModelSerializer):
    customer = VisiblePrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        scope=visible_customers,
        help_text=_("A customer of the branches you work in."),
    )
    branch = BranchField(
        scope=visible_branches, help_text=_("Selling branch: one of the branches you work in.")
    )
    salesperson = salesperson_field(help_text=_("Salesperson: a colleague in your branches."))
    lines = PurchaseLineInputSerializer(many=True)
    vehicle = VisiblePrimaryKeyRelatedField(
        queryset=Purchase.objects.all(),
        scope=visible_purchases,
        allow_null=True,
        required=False,
        help_text=_("For a service visit: the purchase of the car it was for."),
    )

    class Meta:
        model = Purchase
        fields = [
            "customer",
            "branch",
            "salesperson",
            "purchase_date",
            "handover_date",
            "identifier",
            "warranty_end",
            "notes",
            "lines",
            "vehicle",
            "odometer_km",
        ]


class PurchaseChangeSerializer(serializers.Serializer):
    handover_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("Omit to keep the current handover date; null for not yet handed over."),
    )
    warranty_end = serializers.DateField(
        required=False,
        help_text=_("Omit to keep it (or to follow a new handover date if it was the default)."),
    )
    identifier = serializers.CharField(required=False, allow_blank=True, max_length=60)
    notes = serializers.CharField(required=False, allow_blank=True)


class PurchaseCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=200)


class PurchaseListQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("The exact identifier (VIN, serial number) or the customer's name."),
    )
    branch = serializers.IntegerField(required=False, help_text=_("Selling branch id."))
    salesperson = serializers.IntegerField(required=False, help_text=_("Salesperson's user id."))
    status = serializers.ChoiceField(choices=Purchase.Status.choices, required=False)
    main_category = serializers.IntegerField(
        required=False, help_text=_("Id of the product category deciding the follow-ups.")
    )
    date_from = serializers.DateField(
        required=False, help_text=_("Purchases on or after this date.")
    )
    date_to = serializers.DateField(
        required=False, help_text=_("Purchases on or before this date.")
    )
    ordering = serializers.ChoiceField(
        choices=list(selectors.PURCHASE_ORDERINGS), required=False, help_text=_("Sort order.")
    )


@extend_schema_view(
    list=extend_schema(parameters=[PurchaseListQuerySerializer]),
    create=extend_schema(request=PurchaseCreateSerializer, responses={201: PurchaseSerializer}),
)
class PurchaseViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Purchases of the branches the caller works in (administrators: all)."""

    serializer_class = PurchaseSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    lookup_value_regex = r"\d+"
    # The list parses its own parameters and hands them to the selector.
    filter_backends = []
    action_permissions = {
        "change": {"POST": ["customers.change_purchase"]},
        "cancel": {"POST": ["customers.change_purchase"]},
    }

    def get_queryset(self):
        return with_lines(selectors.purchase_list(self.request.user))

    def list(self, request):
        query = PurchaseListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = dict(query.validated_data)
        if "main_category" in params:
            params["category"] = params.pop("main_category")
        purchases = with_lines(selectors.purchase_list(request.user, **params))
        page = self.paginate_queryset(purchases)
        # The page's mileage in two queries, not two per purchase.
        context = {**self.get_serializer_context(), "mileage": mileage_of(page)}
        serializer = self.get_serializer(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)

    def create(self, request):
        serializer = PurchaseCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        lines = [
            (line["product"], line["quantity"], line["unit_price"]) for line in fields.pop("lines")
        ]
        purchase = services.log_purchase(
            by=request.user, lines=lines, salesperson=fields.pop("salesperson", None), **fields
        )
        return Response(self._read(purchase), status=status.HTTP_201_CREATED)

    @extend_schema(request=PurchaseChangeSerializer, responses=PurchaseSerializer)
    @action(detail=True, methods=["post"])
    def change(self, request, pk=None):
        """Change the handover date, warranty end, identifier or notes; omitted fields stay."""
        purchase = self.get_object()
        serializer = PurchaseChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        purchase = services.change_purchase(
            purchase=purchase,
            by=request.user,
            handover_date=changes.pop("handover_date", purchase.handover_date),
            **changes,
        )
        return Response(self._read(purchase))

    @extend_schema(request=PurchaseCancelSerializer, responses=PurchaseSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the purchase, saying why."""
        purchase = self.get_object()
        serializer = PurchaseCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        purchase = services.cancel_purchase(
            purchase=purchase, by=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(self._read(purchase))

    def _read(self, purchase):
        """The purchase as the list shows it, read back through the scoped queryset."""
        return self.get_serializer(self.get_queryset().get(pk=purchase.pk)).data
