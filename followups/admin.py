from django.contrib import admin

from followups.models import PublicHoliday
from followups.offers import admin as offer_admin  # noqa: F401 (registers the offer tables)


@admin.register(PublicHoliday)
class PublicHolidayAdmin(admin.ModelAdmin):
    """Holidays imported from the `holidays` package (followups.public_holidays) are kept in step
    by the hourly import and only looked at here; a branch's own closing days, or a holiday for a
    whole country or subdivision, are entered here by hand and never touched by the import."""

    list_display = ["date", "name", "country", "subdivision", "branch", "source"]
    list_filter = ["source", "country", "subdivision", "branch"]
    list_select_related = ["branch"]
    search_fields = ["name"]
    date_hierarchy = "date"
    fields = ["date", "name", "branch", "country", "subdivision"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.source == PublicHoliday.Source.IMPORTED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.source == PublicHoliday.Source.IMPORTED:
            return False
        return super().has_delete_permission(request, obj)
