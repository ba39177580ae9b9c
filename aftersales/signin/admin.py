from django.contrib import admin

from aftersales.signin.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see every token and revoke one by deleting it; tokens are only ever made
    by the person (browser or POST /api/auth/token/), since only then is the key shown."""

    list_display = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at"]
    search_fields = ["user__username", "name"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at"]
    exclude = ["key_hash", "password_fingerprint"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
