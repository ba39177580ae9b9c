import copy
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import ISO_8601, mixins, permissions, routers, serializers, status, viewsets
from rest_framework.fields import (
    DateTimeField,
    DictField,
    Field,
    ListField,
    SkipField,
)
from rest_framework.relations import (
    ManyRelatedField,
    PKOnlyObject,
    PrimaryKeyRelatedField,
    RelatedField,
)
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from aftersales import selectors
from aftersales.access import is_staff_member, sole_branch
from aftersales.errors import DomainError
from aftersales.models import Branch


def exception_handler(exc, context):
    """Every refusal is an answer with a message, never a 500: a DomainError from a service and a
    model's ValidationError (full_clean in a service) are 400s like form errors, and so is a body
    larger than Django reads; DRF's own answers have lone surrogates from the input replaced, as
    its messages repeat the input ("\ud800" is not a valid choice) and JSON cannot encode them.

    One body shape for every error (aftersales.schema.ERROR_BODY): `detail`, a string, for the
    request as a whole, and a list of messages per field; a bare list of messages (a filter's
    ValidationError) becomes the `detail`."""
    if isinstance(exc, DomainError):
        if exc.field:
            return Response({exc.field: [str(exc.message)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": str(exc.message)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(_one_shape(_without_surrogates(errors)), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": _("The request body is too large.")}, status=status.HTTP_400_BAD_REQUEST
        )
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = _one_shape(_without_surrogates(response.data))
    return response


def _one_shape(data):
    """`{"detail": "..."}` for messages about the whole request (a bare list, or a list under
    `detail`); per-field lists stay as they are."""
    if isinstance(data, list | tuple):
        data = {"detail": data}
    if isinstance(data, dict) and isinstance(data.get("detail"), list | tuple):
        data = {**data, "detail": " ".join(str(message) for message in data["detail"])}
    return data


def _without_surrogates(data):
    if isinstance(data, str):
        return data.encode("utf-8", "replace").decode("utf-8")
    if isinstance(data, dict):
        return {_without_surrogates(key): _without_surrogates(item) for key, item in data.items()}
    if isinstance(data, list | tuple):
        return [_without_surrogates(item) for item in data]
    return data


class IsStaffMember(permissions.BasePermission):
    """Internal staff only: mystery shoppers (external) never see organisation data."""

    def has_permission(self, request, view):
        return is_staff_member(request.user)


class StaffAPIRootView(routers.APIRootView):
    """The API's index of endpoints, for staff: mystery shoppers see nothing beyond their own."""

    permission_classes = [permissions.IsAuthenticated, IsStaffMember]


class BranchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Branch
        fields = [
            "id",
            "name",
            "code",
            "street",
            "postcode",
            "city",
            "country",
            "time_zone",
            "is_active",
        ]


class BranchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Branches the caller works in (administrators: all)."""

    serializer_class = BranchSerializer
    permission_classes = [permissions.IsAuthenticated, IsStaffMember]
    filterset_fields = ["is_active", "country"]
    search_fields = ["name", "code", "city"]
    ordering_fields = ["name", "code", "city"]

    def get_queryset(self):
        return selectors.branches_visible_to(self.request.user)


class RolePermissions(permissions.DjangoModelPermissions):
    """The caller's roles (Django groups) must hold the model permission for the request: view_* to
    read, add_* to create, change_* to update.

    An extra action names its permissions per HTTP method in the viewset's `action_permissions`
    ({action: {method: [permission, ...]}}), because "POST means add" is wrong for, say, cancelling.
    """

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if not hasattr(view, request.method.lower()):
            return True  # the view answers 405 Method Not Allowed, whatever the caller's roles
        by_method = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if by_method is None:
            return super().has_permission(request, view)
        if not (request.user and request.user.is_authenticated):
            return False
        method = "GET" if request.method == "HEAD" else request.method
        if method == "OPTIONS":
            return True
        return method in by_method and request.user.has_perms(by_method[method])


STAFF_WITH_MODEL_PERMISSIONS = [permissions.IsAuthenticated, IsStaffMember, RolePermissions]


# --- fields --------------------------------------------------------------------------------------


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id looked up among the objects the caller may see: `scope(user)` returns them.

    `queryset` is still given (unscoped) so that the schema knows the model; lookups use the scope.
    """

    def __init__(self, *, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].user)


class SoleBranchDefault:
    """A branch field's default: the caller's only branch among the field's choices (the rule the
    browser's forms preselect by); with several to choose from, the field is required."""

    requires_context = True

    def __call__(self, field):
        branch = sole_branch(field.get_queryset())
        if branch is None:
            raise serializers.ValidationError(
                _("Required: you work in several branches, so name one of them."), code="required"
            )
        return branch

    def __repr__(self):
        return f"{type(self).__name__}()"


class BranchField(VisiblePrimaryKeyRelatedField):
    """A branch among `scope(user)`, defaulting to the caller's only one (SoleBranchDefault)."""

    def __init__(self, *, scope, help_text, **kwargs):
        super().__init__(
            queryset=Branch.objects.all(),
            scope=scope,
            default=SoleBranchDefault(),
            help_text=format_lazy(
                "{} {}",
                help_text,
                gettext_lazy("Default: your branch, if you work in only one; required otherwise."),
            ),
            **kwargs,
        )


# --- output --------------------------------------------------------------------------------------


class LeanRepresentation:
    """A serializer mixin: the same output as DRF's `Serializer.to_representation`, field by field,
    at a fraction of its cost.

    DRF looks every value up through `fields.get_attribute`, which asks for each step of a
    field's source whether the object is a Mapping (an ABC check) and whether the value is a
    simple callable (signature inspection): a third of the CPU of serializing a page of 50
    customers. Here each field gets a reader, planned once per serializer instance: a plain
    attribute chain over model instances to a value that is not callable, or for a related field
    by its primary key, the attribute that `serializable_value` reads. Whatever the plan cannot
    vouch for (an object that is not a model instance or is None on the way, a callable, a
    lookup that raises) is handed to DRF's own code for that field and row, so the answer never
    differs.

    The fields themselves are built from the model once per class and copied for each
    serializer (as DRF copies declared fields), instead of being worked out from the model's
    fields on every request (1.1 ms against 0.3 for a customer): for serializers whose fields do
    not depend on the request. A plain field is copied as it is (binding it to the serializer
    then sets what differs); one with fields inside (a nested serializer, a list or many-related
    field, whose inner fields reach the serializer's context through their parents) is built
    afresh, as DRF copies every field (running each field's __init__ again: a tenth of a
    follow-up page).
    """

    def get_fields(self):
        built = _built_fields.get(type(self))
        if built is None:
            built = _built_fields[type(self)] = super().get_fields()
        return {
            name: copy.deepcopy(field) if _has_inner_fields(field) else copy.copy(field)
            for name, field in built.items()
        }

    def to_representation(self, instance):
        plan = self.__dict__.get("_lean_plan")
        if plan is None:
            plan = self._lean_plan = [
                (field.field_name, _reader(field)) for field in self._readable_fields
            ]
        representation = {}
        for name, read in plan:
            try:
                representation[name] = read(instance)
            except SkipField:
                continue
        return representation


_built_fields = {}


def _has_inner_fields(field):
    return isinstance(field, BaseSerializer | ManyRelatedField | ListField | DictField)


def _reader(field):
    """A function of the instance giving the field's value as DRF's loop would put it in the
    answer (raising SkipField where DRF leaves the field out)."""
    by_drf = _drf_reader(field)
    field_class = type(field)
    if isinstance(field, RelatedField):
        if field_class.get_attribute is not RelatedField.get_attribute:
            return by_drf
        if field.use_pk_only_optimization():
            if (
                field.source_attrs
                and field_class.to_representation is PrimaryKeyRelatedField.to_representation
                and field.pk_field is None
            ):
                return _primary_key_reader(field.source_attrs, by_drf)
            return by_drf
    elif field_class.get_attribute is not Field.get_attribute:
        return by_drf
    return _chain_reader(field.source_attrs, _representer(field), by_drf)


def _representer(field):
    """The field's `to_representation`, or for an ISO 8601 date-time field DRF's conversion
    without its per-value lookups (the current time zone, the format setting): a page of
    complaints has 350 date-times, which took a tenth of the request. The time zone is the one
    active when the serializer is first used, as it stays for the request."""
    if not (
        isinstance(field, DateTimeField)
        and type(field).to_representation is DateTimeField.to_representation
        and type(field).enforce_timezone is DateTimeField.enforce_timezone
        and type(field).default_timezone is DateTimeField.default_timezone
        and str(getattr(field, "format", api_settings.DATETIME_FORMAT)).lower() == ISO_8601
    ):
        return field.to_representation
    zone = getattr(field, "timezone", None)
    if zone is None and not hasattr(field, "timezone") and settings.USE_TZ:
        zone = timezone.get_current_timezone()
    if zone is None:
        return field.to_representation

    def represent(value):
        if type(value) is not datetime or value.utcoffset() is None:
            return field.to_representation(value)  # a naive or odd value: DRF's own rules
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return field.to_representation(value)  # DRF's own error
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return represent


def _drf_reader(field):
    def read(instance):
        attribute = field.get_attribute(instance)
        check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check_for_none is None else field.to_representation(attribute)

    return read


def _follow(instance, attrs):
    """The value at the end of `attrs`, followed from a model instance through model instances;
    _UNSURE where DRF's lookup could take another turn (a mapping's key, a call)."""
    value = instance
    for attr in attrs:
        if not isinstance(value, Model):
            return _UNSURE
        value = getattr(value, attr)
        if callable(value):
            return _UNSURE
    return value


_UNSURE = object()


def _chain_reader(attrs, represent, by_drf):
    def read(instance):
        try:
            value = _follow(instance, attrs)
        except (AttributeError, KeyError, ObjectDoesNotExist):
            return by_drf(instance)
        if value is _UNSURE:
            return by_drf(instance)
        return None if value is None else represent(value)

    return read


def _primary_key_reader(attrs, by_drf):
    path, last = attrs[:-1], attrs[-1]

    def read(instance):
        try:
            owner = _follow(instance, path)
            if not isinstance(owner, Model):
                return by_drf(instance)
            value = owner.serializable_value(last)
        except (AttributeError, KeyError, ObjectDoesNotExist):
            return by_drf(instance)
        if callable(value):
            return by_drf(instance)
        return getattr(value, "pk", value)

    return read


def own_columns(model):
    """Every column of the model's own, for `.only()` beside some columns of joined rows."""
    return [field.name for field in model._meta.concrete_fields]


def columns_of(relation, names):
    """The columns `names` of the joined `relation`, for `.only()`: customer__first_name, ..."""
    return [f"{relation}__{name}" for name in names]
