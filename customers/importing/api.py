"""The purchase import in the REST API: the same background jobs as the import pages.

`POST /api/imports/` with a multipart `file` stores the upload and starts its check (202 and the
job); the caller polls `GET /api/imports/{id}/` until `state` is done or failed, reads the
figures and errors, and starts the import with `POST /api/imports/{id}/confirm/` (202 and the
import's job), only from a check without errors. Callers see their own jobs only.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aftersales.api import IsStaffMember
from aftersales.models import Job
from aftersales.parsers import GuardedJSONParser, GuardedMultiPartParser
from customers.importing import background, uploads

# A job's detail lists this many of its errors; the import page's error file has all it kept.
API_ERROR_LIMIT = 1000


class CanImportPurchases(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("customers.import_purchases")


class ImportSummarySerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    customers_created = serializers.IntegerField()
    customers_updated = serializers.IntegerField()
    customers_unchanged = serializers.IntegerField()
    purchases_created = serializers.IntegerField()
    purchases_skipped = serializers.IntegerField()
    lines_created = serializers.IntegerField()
    consents_recorded = serializers.IntegerField()


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        help_text=_("The spreadsheet row (1 is the header, 0 the file).")
    )
    column = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    step = serializers.SerializerMethodField(help_text=_("check, or import"))
    percent = serializers.IntegerField(read_only=True)
    summary = serializers.SerializerMethodField()
    error_count = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "step",
            "state",
            "rows_done",
            "rows_total",
            "percent",
            "summary",
            "error_count",
            "errors",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_step(self, job) -> str:
        return "check" if job.kind == background.PREVIEW else "import"

    @extend_schema_field(ImportSummarySerializer(allow_null=True))
    def get_summary(self, job):
        return (job.result or {}).get("summary")

    def get_error_count(self, job) -> int:
        return background.error_count(job)

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_errors(self, job):
        return background.kept_errors(job)[:API_ERROR_LIMIT]


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("The dealer system's CSV export (docs/import-format.md)."),
        validators=[uploads.validate_upload_size],
    )


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's purchase imports: upload and check, then import."""

    serializer_class = ImportJobSerializer
    permission_classes = [permissions.IsAuthenticated, IsStaffMember, CanImportPurchases]
    parser_classes = [GuardedMultiPartParser, GuardedJSONParser]
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return Job.objects.filter(
            kind__in=list(background.TASKS), started_by=self.request.user
        ).order_by("-created_at", "-id")

    @extend_schema(request=ImportUploadSerializer, responses={202: ImportJobSerializer})
    def create(self, request):
        """Upload a file and start its check."""
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        uploads.discard_stale_uploads()
        token = uploads.store_upload(upload.validated_data["file"])
        job = background.start_preview(token=token, by=request.user)
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Import a checked file that has no errors: starts (or finds) its import job."""
        job = background.confirm(self.get_object(), by=request.user)
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)
