"""REST API of the service history: maintenance schedules (administrators keep them, staff read
them) and what the purchase API shows of a car — its estimated mileage, the next due service and
the declined work (customers.api uses the serializers here). Same services and selectors as the
pages."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets

from aftersales.api import STAFF_WITH_MODEL_PERMISSIONS
from aftersales.translated import translated
from customers.models import DeclinedWork, MaintenanceSchedule, Product, ProductCategory
from customers.service_history import selectors, services
from customers.service_history.mileage import estimates, next_services


class DeclinedWorkSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeclinedWork
        fields = [
            "id",
            "description",
            "product",
            "estimated_price",
            "urgency",
            "declined_on",
            "status",
            "closed_on",
            "done_in",
        ]
        read_only_fields = fields


class NextServiceSerializer(serializers.Serializer):
    schedule = serializers.IntegerField(source="schedule_id")
    next_date = serializers.DateField(help_text=_("The day the service is due: the earlier one."))
    decided_by = serializers.ChoiceField(
        choices=[("time", _("time")), ("distance", _("distance"))],
        help_text=_("Which limit comes first: the months or the kilometres."),
    )
    due_date = serializers.DateField(help_text=_("Due by time on this day."))
    due_km = serializers.IntegerField(help_text=_("Due by distance at this odometer reading."))
    km_left = serializers.IntegerField(help_text=_("Kilometres until then (negative: overdue)."))


class MileageSerializer(serializers.Serializer):
    vehicle = serializers.IntegerField(help_text=_("The car's purchase."))
    estimated_km_today = serializers.IntegerField(source="estimate.km_today")
    last_reading_on = serializers.DateField(source="estimate.last_reading_on", allow_null=True)
    last_reading_km = serializers.IntegerField(source="estimate.last_reading_km", allow_null=True)
    yearly_km = serializers.IntegerField(source="estimate.yearly_km")
    next_service = NextServiceSerializer(allow_null=True)


def mileage_of(purchases, *, today=None):
    """{purchase id: {vehicle, estimate, next_service}} for the cars and service visits among
    `purchases` (a visit shows its car's): two queries for any number of purchases."""
    today = today or timezone.localdate()
    vehicle_ids = {}
    for purchase in purchases:
        if purchase.vehicle_id is not None:
            vehicle_ids[purchase.pk] = purchase.vehicle_id
        elif purchase.is_vehicle:
            vehicle_ids[purchase.pk] = purchase.pk
    found = estimates(set(vehicle_ids.values()), today=today)
    due = next_services(set(vehicle_ids.values()), today=today)
    return {
        pk: {
            "vehicle": vehicle_id,
            "estimate": found[vehicle_id],
            "next_service": due.get(vehicle_id),
        }
        for pk, vehicle_id in vehicle_ids.items()
    }


@extend_schema_field(MileageSerializer(allow_null=True))
class MileageField(serializers.Field):
    """A purchase's mileage (null for anything that is no car or visit): from the serializer
    context's "mileage" ({purchase id: ...}, a list's page at once), else read for this one."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, purchase):
        known = self.context.get("mileage")
        if known is None:
            known = mileage_of([purchase])
        data = known.get(purchase.pk)
        return MileageSerializer(data).data if data else None


class MaintenanceScheduleSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.filter(category__yearly_distance_km__isnull=False),
        allow_null=True,
        required=False,
        help_text=_("The model (a product of a vehicle category); or give a category."),
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=ProductCategory.objects.filter(yearly_distance_km__isnull=False),
        allow_null=True,
        required=False,
        help_text=_("The fallback for the category's models without a schedule of their own."),
    )

    class Meta:
        model = MaintenanceSchedule
        fields = [
            "id",
            "name",
            "product",
            "category",
            "service_product",
            "interval_km",
            "interval_months",
            "first_km",
            "first_months",
            "is_active",
        ]

    def validate(self, attrs):
        # One schedule per model or category is checked by the service's full_clean (a 400).
        merged = {
            name: attrs.get(name, getattr(self.instance, name, None))
            for name in ("product", "category")
        }
        if (merged["product"] is None) == (merged["category"] is None):
            raise serializers.ValidationError(
                _("Choose either a model or a category, not both and not neither.")
            )
        return attrs


class MaintenanceScheduleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Maintenance schedules: staff read them, administrators keep them."""

    serializer_class = MaintenanceScheduleSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    lookup_value_regex = r"\d+"
    filterset_fields = ["is_active", "product", "category"]
    search_fields = ["name", *translated("product__name"), *translated("category__name")]
    ordering_fields = ["name"]

    def get_queryset(self):
        return selectors.maintenance_schedules()

    def perform_create(self, serializer):
        schedule = services.save_schedule(by=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=schedule.pk)

    def perform_update(self, serializer):
        schedule = services.save_schedule(
            by=self.request.user, schedule=serializer.instance, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=schedule.pk)
