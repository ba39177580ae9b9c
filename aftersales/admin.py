from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from aftersales.models import Branch, Notification, OutgoingEmail, User


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "city", "time_zone", "holiday_region", "is_active"]
    list_filter = ["is_active", "time_zone", "holiday_region"]
    search_fields = ["name", "code", "city"]


@admin.register(User)
class AftersalesUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Organisation"), {"fields": ("branches", "phone", "language")}),
    )
    filter_horizontal = ("groups", "user_permissions", "branches")
    list_filter = ["is_active", "groups", "branches"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["subject", "recipient__username"]
    raw_id_fields = ["recipient", "email"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to_address", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state"]
    search_fields = ["subject", "to_address"]
    readonly_fields = ["attempts", "claimed_at", "sent_at", "error"]


# The sign-in domain's admin (API tokens) is registered with the core's.
from aftersales.signin import admin as signin_admin  # noqa: E402, F401
