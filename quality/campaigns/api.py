"""REST API of complaint clusters and campaigns, on the same services and selectors as the
pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from aftersales.api import STAFF_WITH_MODEL_PERMISSIONS, VisiblePrimaryKeyRelatedField
from customers.models import Product
from quality.campaigns import selectors, services
from quality.campaigns.models import Campaign, ComplaintCluster


class ClusterSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    category_name = serializers.StringRelatedField(source="category", read_only=True)
    complaints = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ComplaintCluster
        fields = [
            "id",
            "product",
            "product_name",
            "category",
            "category_name",
            "complaint_count",
            "first_received_at",
            "last_received_at",
            "status",
            "detected_at",
            "alerted_at",
            "closed_at",
            "complaints",
        ]
        read_only_fields = fields


class ComplaintClusterViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Clusters of complaints of one category on one product, with a complaint in the caller's
    branches."""

    serializer_class = ClusterSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    queryset = ComplaintCluster.objects.all()
    filterset_fields = ["status", "product", "category"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ComplaintCluster.objects.none()
        return (
            selectors.clusters_visible_to(self.request.user)
            .select_related("product", "category__parent")
            .prefetch_related("complaints")
            .order_by("-detected_at", "-pk")
        )


class CampaignSerializer(serializers.ModelSerializer):
    affected = serializers.IntegerField(read_only=True)
    planned = serializers.IntegerField(read_only=True)
    contacted = serializers.IntegerField(read_only=True)
    reached = serializers.IntegerField(read_only=True)
    repaired = serializers.IntegerField(read_only=True)
    close_rate = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "reference",
            "source",
            "cluster",
            "product",
            "identifiers",
            "handover_from",
            "handover_until",
            "instructions",
            "status",
            "created_at",
            "closed_at",
            "affected",
            "planned",
            "contacted",
            "reached",
            "repaired",
            "close_rate",
        ]
        read_only_fields = fields


class CampaignInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    reference = serializers.SlugField(max_length=40)
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True, default=None
    )
    cluster = VisiblePrimaryKeyRelatedField(
        queryset=ComplaintCluster.objects.all(),
        scope=selectors.clusters_visible_to,
        required=False,
        allow_null=True,
        default=None,
    )
    identifiers = serializers.CharField(required=False, allow_blank=True, default="")
    handover_from = serializers.DateField(required=False, allow_null=True, default=None)
    handover_until = serializers.DateField(required=False, allow_null=True, default=None)
    instructions = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs["product"] is None and attrs["cluster"] is None:
            raise serializers.ValidationError({"product": "Give a product or a cluster."})
        return attrs


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Campaigns (from a cluster or a recall) with their progress: affected owners, follow-ups
    planned, contacted, reached, repaired and the close rate. Creating one plans a care
    follow-up for every other affected owner, once each."""

    serializer_class = CampaignSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    queryset = Campaign.objects.all()
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        return Campaign.objects.visible_to(self.request.user)

    def list(self, request):
        rows = selectors.campaigns_with_progress(request.user)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        campaign = self.get_object()
        return Response(
            self.get_serializer(selectors.campaign_detail(request.user, campaign.pk)).data
        )

    @extend_schema(request=CampaignInputSerializer, responses={201: CampaignSerializer})
    def create(self, request):
        data = CampaignInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        campaign = services.create_campaign(by=request.user, **data.validated_data)
        return Response(
            self.get_serializer(selectors.campaign_detail(request.user, campaign.pk)).data,
            status=status.HTTP_201_CREATED,
        )
