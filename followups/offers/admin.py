"""Offer rules and offers in the admin (imported by followups.admin). Offers change state only
through the pipeline's services, so the admin shows them read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from followups.offers.models import Offer, OfferRule


@admin.register(OfferRule)
class OfferRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "product", "priority", "is_active", "updated_at"]
    list_filter = ["is_active", "category"]
    list_select_related = ["category", "product"]
    search_fields = ["name", "product__name"]
    autocomplete_fields = ["product", "not_bought_product"]
    fieldsets = [
        (None, {"fields": ["name", "is_active", "active_from", "active_until", "priority"]}),
        (
            _("Trigger"),
            {
                "fields": [
                    "category",
                    ("min_age_days", "max_age_days"),
                    ("not_bought_product", "not_bought_months"),
                    ("season_start_month", "season_start_day"),
                    ("season_end_month", "season_end_day"),
                    ("maintenance_due_days", "maintenance_due_km"),
                    "declined_work_days",
                    "warranty_end_days",
                ]
            },
        ),
        (
            _("What to offer"),
            {
                "fields": [
                    "product",
                    ("price", "discount_percent"),
                    "channels",
                    "script",
                    "valid_days",
                ]
            },
        ),
    ]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "rule",
        "customer",
        "branch",
        "assignee",
        "state",
        "found_on",
        "expires_on",
    ]
    list_filter = ["state", "rule", "branch"]
    list_select_related = ["rule", "customer", "branch", "assignee"]
    search_fields = ["customer__last_name", "customer__company_name", "rule__name"]
    date_hierarchy = "found_on"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
