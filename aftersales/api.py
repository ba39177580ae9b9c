from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from aftersales import selectors
from aftersales.access import is_staff_member
from aftersales.errors import DomainError
from aftersales.models import Branch


def exception_handler(exc, context):
    """A DomainError from a service is a 400 with its message, like a form error."""
    if isinstance(exc, DomainError):
        key = exc.field or "detail"
        return Response({key: [str(exc.message)]}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class IsStaffMember(permissions.BasePermission):
    """Internal staff only: mystery shoppers (external) never see organisation data."""

    def has_permission(self, request, view):
        return is_staff_member(request.user)


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
