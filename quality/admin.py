from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from aftersales.history_admin import HistoryAdmin
from aftersales.translated import translated
from quality.models import (
    Audit,
    AuditSection,
    AuditTemplate,
    AuditTemplateVersion,
    Campaign,
    ClusterRule,
    Complaint,
    ComplaintAttachment,
    ComplaintCategory,
    ComplaintCluster,
    ComplaintEvent,
    CorrectiveAction,
    DissonanceScore,
    DissonanceSignal,
    Finding,
    SeverityDeadline,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the services only (signals, scores): administrators look, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(TranslationAdmin):
    """The complaint taxonomy administrators maintain (noise → wind / fan / rattle / creak...).
    Categories in use cannot be deleted; switch them off with "active" instead."""

    list_display = ["name", "parent", "code", "is_active"]
    list_filter = ["is_active", "parent"]
    list_select_related = ["parent"]
    search_fields = [*translated("name"), "code"]
    prepopulated_fields = {"code": ["name_en"]}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            # Two levels: a parent is itself a top-level category.
            kwargs["queryset"] = ComplaintCategory.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(SeverityDeadline)
class SeverityDeadlineAdmin(admin.ModelAdmin):
    """Deadlines per severity in working time; they apply to complaints recorded afterwards."""

    list_display = ["severity", "acknowledge_hours", "resolve_days"]
    list_editable = ["acknowledge_hours", "resolve_days"]


class AttachmentInline(ReadOnlyInline):
    model = ComplaintAttachment
    fields = ["name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = ComplaintEvent
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields


@admin.register(Complaint)
class ComplaintAdmin(HistoryAdmin):
    """Read-mostly: the complaint, its files, transitions and change history can be looked at
    here; every change goes through the complaint page (the services keep deadlines, events,
    e-mails and dissonance signals right)."""

    list_display = [
        "__str__",
        "customer",
        "category",
        "nature",
        "severity",
        "status",
        "branch",
        "owner",
        "received_at",
    ]
    list_filter = ["status", "severity", "nature", "branch", "category"]
    list_select_related = ["customer", "category__parent", "branch", "owner"]
    search_fields = ["=id", "customer__last_name", "customer__company_name", "description"]
    date_hierarchy = "received_at"
    inlines = [AttachmentInline, EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DissonanceSignal)
class DissonanceSignalAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "customer", "kind", "weight", "summary", "branch"]
    list_filter = ["kind", "branch"]
    list_select_related = ["customer", "branch"]
    search_fields = ["customer__last_name", "summary", "source_key"]
    date_hierarchy = "occurred_at"


@admin.register(DissonanceScore)
class DissonanceScoreAdmin(ReadOnlyAdmin):
    list_display = ["customer", "purchase", "score", "level", "level_changed_at", "computed_at"]
    list_filter = ["level", "branch"]
    list_select_related = ["customer", "purchase"]
    search_fields = ["customer__last_name", "customer__company_name"]


# --- quality audits and campaigns ----------------------------------------------------------------


class AuditSectionInline(TranslationTabularInline):
    model = AuditSection
    extra = 0
    fields = ["title", "position"]


@admin.register(AuditTemplate)
class AuditTemplateAdmin(TranslationAdmin):
    """Templates are edited through the services (pages, API): the admin shows and (de)activates
    them, so that a version in use is never changed behind an audit's back."""

    list_display = ["name", "area", "is_active"]
    list_filter = ["area", "is_active"]
    search_fields = translated("name", "description")
    fields = ["name", "area", "description", "is_active"]
    readonly_fields = ["area"]

    def has_add_permission(self, request):
        return False


@admin.register(AuditTemplateVersion)
class AuditTemplateVersionAdmin(ReadOnlyAdmin):
    list_display = ["template", "number", "pass_threshold", "created_at"]
    inlines = [AuditSectionInline]


@admin.register(Audit)
class AuditAdmin(ReadOnlyAdmin):
    list_display = ["branch", "area", "due_on", "status", "score", "auditor"]
    list_filter = ["status", "area", "branch"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["title", "branch", "area", "severity", "status", "created_at"]
    list_filter = ["status", "severity", "area", "branch"]


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ReadOnlyAdmin):
    list_display = ["description", "owner", "due_on", "status"]
    list_filter = ["status"]


@admin.register(ClusterRule)
class ClusterRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "threshold", "window_days", "is_active"]


@admin.register(ComplaintCluster)
class ComplaintClusterAdmin(ReadOnlyAdmin):
    list_display = ["product", "category", "complaint_count", "status", "detected_at"]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "reference", "source", "product", "status", "created_at"]
