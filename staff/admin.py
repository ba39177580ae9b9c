"""Admin registration of every staff model, for administrators (simple lists; the work itself is
done on the app's pages, which go through the services)."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from aftersales.translated import translated
from staff import models


@admin.register(models.StaffPolicy)
class StaffPolicyAdmin(admin.ModelAdmin):
    list_display = ["branch", "punctuality_tolerance_minutes"]


@admin.register(models.ScorecardTemplate)
class ScorecardTemplateAdmin(TranslationAdmin):
    list_display = ["name", "scenario", "is_active"]
    list_filter = ["scenario", "is_active"]
    search_fields = translated("name")


@admin.register(models.ScorecardVersion)
class ScorecardVersionAdmin(admin.ModelAdmin):
    list_display = ["template", "number", "coaching_threshold", "created_at"]
    list_select_related = ["template"]


@admin.register(models.ScorecardSection)
class ScorecardSectionAdmin(TranslationAdmin):
    list_display = ["title", "version", "position"]
    list_select_related = ["version__template"]


@admin.register(models.Criterion)
class CriterionAdmin(TranslationAdmin):
    list_display = ["text", "section", "kind", "weight", "is_critical"]
    list_filter = ["kind", "is_critical"]
    list_select_related = ["section"]


@admin.register(models.MysteryShopAssignment)
class MysteryShopAssignmentAdmin(admin.ModelAdmin):
    list_display = ["template", "branch", "shopper", "window_start", "window_end"]
    list_select_related = ["template", "branch", "shopper"]
    raw_id_fields = ["version", "employee", "created_by"]


@admin.register(models.MysteryShopResult)
class MysteryShopResultAdmin(admin.ModelAdmin):
    list_display = ["assignment", "status", "score", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["assignment__template", "assignment__branch"]
    raw_id_fields = ["assignment", "served_by", "reviewed_by"]


@admin.register(models.Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["result", "criterion", "met", "rating", "minutes", "points"]
    raw_id_fields = ["result", "criterion"]


@admin.register(models.ResultAttachment)
class ResultAttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "result", "size", "uploaded_at"]
    raw_id_fields = ["result"]


@admin.register(models.Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["agreed_at", "kind", "employee", "customer", "outcome", "branch"]
    list_filter = ["kind", "outcome", "branch"]
    list_select_related = ["employee", "customer", "branch"]
    raw_id_fields = ["employee", "customer", "purchase", "created_by"]
    date_hierarchy = "agreed_at"


@admin.register(models.Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "topic", "validity_months", "is_active"]
    list_filter = ["topic", "is_active"]
    search_fields = ["title"]


@admin.register(models.RequiredCourse)
class RequiredCourseAdmin(admin.ModelAdmin):
    list_display = ["course", "role"]
    list_filter = ["role"]


@admin.register(models.TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = ["employee", "course", "completed_on", "result", "expires_on", "is_current"]
    list_filter = ["result", "is_current", "course"]
    list_select_related = ["employee", "course"]
    raw_id_fields = ["employee", "recorded_by"]


@admin.register(models.CoachingAction)
class CoachingActionAdmin(admin.ModelAdmin):
    list_display = ["employee", "source", "status", "due_on", "branch"]
    list_filter = ["status", "source", "branch"]
    list_select_related = ["employee", "branch"]
    raw_id_fields = ["employee", "coach", "mystery_shop_result", "complaint", "created_by"]


@admin.register(models.Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "role", "status", "branch", "delete_after"]
    list_filter = ["status", "role", "branch"]


@admin.register(models.CandidateAssessment)
class CandidateAssessmentAdmin(admin.ModelAdmin):
    list_display = ["candidate", "assessor", "submitted_at"]
    raw_id_fields = ["candidate", "assessor"]


@admin.register(models.CompetencyRating)
class CompetencyRatingAdmin(admin.ModelAdmin):
    list_display = ["assessment", "competency", "rating"]
    raw_id_fields = ["assessment"]
