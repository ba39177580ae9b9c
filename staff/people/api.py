"""REST API of people: appointments (and their quick actions), the course catalogue
(`/api/trainings/`), training records and coaching actions.

As thin as the browser views: staff.people.services decides and writes (a DomainError becomes a
400 in aftersales.api), staff.people.selectors scopes what a caller sees. Related ids in the input
are looked up among the objects the caller may see, so another branch's customer is "does not
exist" (400).
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from aftersales.api import STAFF_WITH_MODEL_PERMISSIONS, VisiblePrimaryKeyRelatedField
from aftersales.models import Branch
from aftersales.parsers import GuardedFormParser, GuardedJSONParser, GuardedMultiPartParser
from aftersales.translated import TranslatedFieldsSerializer, translated
from customers.models import Customer, Purchase
from staff.people import selectors, services
from staff.people.figures import late_condition
from staff.people.forms import REQUIRED_ROLE_CHOICES
from staff.people.models import Appointment, CoachingAction, Course, TrainingRecord

User = get_user_model()
CHANGE_APPOINTMENT = ["staff.change_appointment"]
CHANGE_COACHING = ["staff.change_coachingaction"]


def visible_customers(user):
    return Customer.objects.visible_to(user)


def visible_purchases(user):
    return Purchase.objects.visible_to(user)


def visible_branches(user):
    return Branch.objects.visible_to(user)


def branch_people(user):
    return selectors.branch_staff(Branch.objects.visible_to(user).values("pk"))


# --- appointments --------------------------------------------------------------------------------


class AppointmentSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.display_name", read_only=True)
    employee_name = serializers.StringRelatedField(source="employee", read_only=True)
    is_late = serializers.BooleanField(
        read_only=True, help_text=_("Held and started after the branch's tolerance.")
    )

    class Meta:
        model = Appointment
        fields = [
            "id",
            "branch",
            "employee",
            "employee_name",
            "customer",
            "customer_name",
            "purchase",
            "kind",
            "agreed_at",
            "started_at",
            "outcome",
            "is_late",
            "notes",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AppointmentCreateSerializer(serializers.Serializer):
    customer = VisiblePrimaryKeyRelatedField(
        queryset=Customer.objects.all(), scope=visible_customers
    )
    purchase = VisiblePrimaryKeyRelatedField(
        queryset=Purchase.objects.all(),
        scope=visible_purchases,
        required=False,
        allow_null=True,
        help_text=_("One of this customer's purchases, if the appointment is about one."),
    )
    employee = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.all(),
        scope=branch_people,
        required=False,
        help_text=_("Who meets the customer; default you. Managers may name their people."),
    )
    kind = serializers.ChoiceField(choices=Appointment.Kind.choices)
    agreed_at = serializers.DateTimeField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class AppointmentUpdateSerializer(serializers.Serializer):
    employee = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.all(), scope=branch_people, required=False
    )
    purchase = VisiblePrimaryKeyRelatedField(
        queryset=Purchase.objects.all(), scope=visible_purchases, required=False, allow_null=True
    )
    kind = serializers.ChoiceField(choices=Appointment.Kind.choices, required=False)
    agreed_at = serializers.DateTimeField(required=False)
    started_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text=_("Only to correct a held appointment.")
    )
    notes = serializers.CharField(required=False, allow_blank=True)


class AppointmentCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AppointmentFilter(filters.FilterSet):
    agreed_after = filters.IsoDateTimeFilter(field_name="agreed_at", lookup_expr="gte")
    agreed_before = filters.IsoDateTimeFilter(field_name="agreed_at", lookup_expr="lte")
    late = filters.BooleanFilter(method="filter_late", label=_("Only late ones"))

    class Meta:
        model = Appointment
        fields = ["employee", "customer", "branch", "kind", "outcome"]

    def filter_late(self, queryset, name, value):
        return queryset.filter(late_condition()) if value else queryset.exclude(late_condition())


@extend_schema_view(
    create=extend_schema(
        request=AppointmentCreateSerializer, responses={201: AppointmentSerializer}
    ),
    partial_update=extend_schema(request=AppointmentUpdateSerializer),
)
class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Appointments of the caller's branches. Sales and service staff change their own,
    managers any of their branches'."""

    serializer_class = AppointmentSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    filterset_class = AppointmentFilter
    ordering_fields = ["agreed_at", "started_at", "created_at"]
    ordering = ["agreed_at", "pk"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"
    action_permissions = {
        name: {"POST": CHANGE_APPOINTMENT} for name in ("start", "no_show", "cancel")
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Appointment.objects.none()
        return selectors.appointment_list(self.request.user)

    def get_object(self):
        """An appointment the caller sees but may not change is refused (403), as on the page,
        before any body is read."""
        appointment = super().get_object()
        changes = self.action in {"partial_update", "start", "no_show", "cancel"}
        if changes and not services.can_change_appointment(self.request.user, appointment):
            raise PermissionDenied(_("You can only change your own appointments."))
        return appointment

    def create(self, request):
        serializer = AppointmentCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        appointment = services.schedule_appointment(
            by=request.user,
            employee=data.get("employee") or request.user,
            customer=data["customer"],
            purchase=data.get("purchase"),
            kind=data["kind"],
            agreed_at=data["agreed_at"],
            notes=data["notes"],
        )
        return Response(self._read(appointment), status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        appointment = self.get_object()
        serializer = AppointmentUpdateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        current = {
            "employee": appointment.employee,
            "purchase": appointment.purchase,
            "kind": appointment.kind,
            "agreed_at": appointment.agreed_at,
            "started_at": appointment.started_at,
            "notes": appointment.notes,
        }
        appointment = services.update_appointment(
            appointment=appointment, by=request.user, **{**current, **serializer.validated_data}
        )
        return Response(self._read(appointment))

    @extend_schema(request=None, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Started now: the appointment was held."""
        appointment = services.start_appointment(appointment=self.get_object(), by=request.user)
        return Response(self._read(appointment))

    @extend_schema(request=None, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        """The customer did not come (once the agreed time has come)."""
        appointment = services.mark_no_show(appointment=self.get_object(), by=request.user)
        return Response(self._read(appointment))

    @extend_schema(request=AppointmentCancelSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Call off a scheduled appointment; it then counts nowhere."""
        appointment = self.get_object()
        serializer = AppointmentCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.cancel_appointment(
            appointment=appointment, by=request.user, **serializer.validated_data
        )
        return Response(self._read(appointment))

    def _read(self, appointment):
        return self.get_serializer(self.get_queryset().get(pk=appointment.pk)).data


# --- courses ("trainings") -----------------------------------------------------------------------


class CourseSerializer(TranslatedFieldsSerializer):
    required_roles = serializers.MultipleChoiceField(
        choices=REQUIRED_ROLE_CHOICES,
        required=False,
        help_text=_("Roles whose members must hold a valid record of this course."),
    )

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            *translated("title"),
            "topic",
            "description",
            *translated("description"),
            "validity_months",
            "is_active",
            "required_roles",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # Uniqueness is the service's to check (case-insensitively, with a clear message).
        validators = []

    def to_representation(self, course):
        data = super().to_representation(course)
        data["required_roles"] = sorted(required.role for required in course.required_for.all())
        return data


class CourseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The course catalogue; quality managers and administrators edit it."""

    serializer_class = CourseSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    filterset_fields = ["topic", "is_active"]
    search_fields = translated("title", "description")
    ordering_fields = ["title", "topic", "validity_months"]
    ordering = ["title"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Course.objects.prefetch_related("required_for").order_by("title")

    def _arguments(self, data, course=None):
        current = {
            **{
                column: getattr(course, column) if course else ""
                for column in translated("title", "description")
            },
            "topic": course.topic if course else "",
            "validity_months": course.validity_months if course else None,
            "is_active": course.is_active if course else True,
            "required_roles": [r.role for r in course.required_for.all()] if course else [],
        }
        return {**current, **data}

    def perform_create(self, serializer):
        serializer.instance = services.create_course(
            by=self.request.user, **self._arguments(serializer.validated_data)
        )

    def perform_update(self, serializer):
        course = serializer.instance
        serializer.instance = services.update_course(
            course=course,
            by=self.request.user,
            **self._arguments(serializer.validated_data, course),
        )


# --- training records ----------------------------------------------------------------------------


class TrainingRecordSerializer(serializers.ModelSerializer):
    employee_name = serializers.StringRelatedField(source="employee", read_only=True)
    course_title = serializers.CharField(source="course.title", read_only=True)
    certificate = serializers.SerializerMethodField(
        help_text=_("Where to download the certificate (after a permission check), or null.")
    )

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "employee",
            "employee_name",
            "course",
            "course_title",
            "completed_on",
            "result",
            "expires_on",
            "is_current",
            "certificate",
            "notes",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_certificate(self, record) -> str | None:
        if not record.certificate:
            return None
        return reverse("staff:training-certificate", args=[record.pk])


class TrainingRecordCreateSerializer(serializers.Serializer):
    employee = VisiblePrimaryKeyRelatedField(queryset=User.objects.all(), scope=selectors.people_of)
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.filter(is_active=True))
    completed_on = serializers.DateField()
    result = serializers.ChoiceField(
        choices=TrainingRecord.Result.choices, default=TrainingRecord.Result.PASSED
    )
    certificate = serializers.FileField(
        required=False, allow_null=True, help_text=_("PDF, JPEG or PNG up to 10 MB (multipart).")
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class TrainingRecordFilter(filters.FilterSet):
    expires_before = filters.DateFilter(field_name="expires_on", lookup_expr="lte")
    expires_after = filters.DateFilter(field_name="expires_on", lookup_expr="gte")

    class Meta:
        model = TrainingRecord
        fields = ["employee", "course", "result", "is_current"]


@extend_schema_view(
    create=extend_schema(
        request=TrainingRecordCreateSerializer, responses={201: TrainingRecordSerializer}
    )
)
class TrainingRecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Training records: everyone sees their own, managers and quality managers their branches'
    people's; managers record them."""

    serializer_class = TrainingRecordSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    filterset_class = TrainingRecordFilter
    ordering_fields = ["completed_on", "expires_on"]
    ordering = ["-completed_on", "-pk"]
    parser_classes = [GuardedJSONParser, GuardedMultiPartParser, GuardedFormParser]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TrainingRecord.objects.none()
        return selectors.training_records_visible_to(self.request.user).select_related(
            "employee", "course"
        )

    def create(self, request):
        serializer = TrainingRecordCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        record = services.record_training(by=request.user, **serializer.validated_data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=record.pk)).data,
            status=status.HTTP_201_CREATED,
        )


# --- coaching ------------------------------------------------------------------------------------


class CoachingActionSerializer(serializers.ModelSerializer):
    employee_name = serializers.StringRelatedField(source="employee", read_only=True)
    coach_name = serializers.StringRelatedField(source="coach", read_only=True)

    class Meta:
        model = CoachingAction
        fields = [
            "id",
            "employee",
            "employee_name",
            "branch",
            "coach",
            "coach_name",
            "source",
            "mystery_shop_result",
            "complaint",
            "goal",
            "measures",
            "course",
            "due_on",
            "status",
            "outcome",
            "completed_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CoachingCreateSerializer(serializers.Serializer):
    employee = VisiblePrimaryKeyRelatedField(queryset=User.objects.all(), scope=selectors.people_of)
    branch = VisiblePrimaryKeyRelatedField(
        queryset=Branch.objects.all(),
        scope=visible_branches,
        required=False,
        help_text=_("Only needed when the employee works in several of your branches."),
    )
    goal = serializers.CharField()
    measures = serializers.CharField(required=False, allow_blank=True, default="")
    course = serializers.PrimaryKeyRelatedField(
        queryset=Course.objects.all(), required=False, allow_null=True
    )
    due_on = serializers.DateField()
    coach = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.all(),
        scope=selectors.coaches_for,
        required=False,
        allow_null=True,
        help_text=_("Default: the branch's first manager."),
    )


class CoachingUpdateSerializer(serializers.Serializer):
    goal = serializers.CharField(required=False)
    measures = serializers.CharField(required=False, allow_blank=True)
    course = serializers.PrimaryKeyRelatedField(
        queryset=Course.objects.all(), required=False, allow_null=True
    )
    due_on = serializers.DateField(required=False)
    coach = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.all(), scope=selectors.coaches_for, required=False, allow_null=True
    )
    status = serializers.ChoiceField(
        choices=[
            (CoachingAction.Status.OPEN.value, CoachingAction.Status.OPEN.label),
            (CoachingAction.Status.IN_PROGRESS.value, CoachingAction.Status.IN_PROGRESS.label),
        ],
        required=False,
    )


class CoachingCompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(help_text=_("What came of it."))


class CoachingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CoachingFilter(filters.FilterSet):
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("Open and past due"))

    class Meta:
        model = CoachingAction
        fields = ["employee", "branch", "status", "source", "coach"]

    def filter_overdue(self, queryset, name, value):
        overdue = selectors.overdue_coaching()
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


@extend_schema_view(
    create=extend_schema(
        request=CoachingCreateSerializer, responses={201: CoachingActionSerializer}
    ),
    partial_update=extend_schema(request=CoachingUpdateSerializer),
)
class CoachingActionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Coaching actions: managers and quality managers see and work their branches', everyone
    else sees the actions about themselves."""

    serializer_class = CoachingActionSerializer
    permission_classes = STAFF_WITH_MODEL_PERMISSIONS
    filterset_class = CoachingFilter
    ordering_fields = ["due_on", "created_at"]
    ordering = ["due_on", "pk"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"
    action_permissions = {name: {"POST": CHANGE_COACHING} for name in ("complete", "cancel")}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CoachingAction.objects.none()
        return selectors.coaching_list(self.request.user)

    def create(self, request):
        serializer = CoachingCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        action = services.create_coaching_action(by=request.user, **serializer.validated_data)
        return Response(self._read(action), status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        coaching = self.get_object()
        serializer = CoachingUpdateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        current = {
            "goal": coaching.goal,
            "measures": coaching.measures,
            "course": coaching.course,
            "due_on": coaching.due_on,
            "coach": coaching.coach,
            "status": coaching.status,
        }
        coaching = services.update_coaching_action(
            action=coaching, by=request.user, **{**current, **serializer.validated_data}
        )
        return Response(self._read(coaching))

    @extend_schema(request=CoachingCompleteSerializer, responses=CoachingActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Complete an open action with its outcome."""
        coaching = self.get_object()
        serializer = CoachingCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        coaching = services.complete_coaching_action(
            action=coaching, by=request.user, **serializer.validated_data
        )
        return Response(self._read(coaching))

    @extend_schema(request=CoachingCancelSerializer, responses=CoachingActionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel an open action, saying why."""
        coaching = self.get_object()
        serializer = CoachingCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        coaching = services.cancel_coaching_action(
            action=coaching, by=request.user, **serializer.validated_data
        )
        return Response(self._read(coaching))

    def _read(self, coaching):
        return self.get_serializer(self.get_queryset().get(pk=coaching.pk)).data
