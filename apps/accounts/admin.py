from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from apps.accounts.models import ApiToken, Team, TeamMembership, User


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class CostgovUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("costgov", {"fields": ("role",)}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("costgov", {"fields": ("role",)}))
    list_display = ("username", "email", "role", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "cost_center", "contact_email", "timezone")
    search_fields = ("name", "cost_center")
    inlines = [TeamMembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued with ``manage.py issue_token`` or the API; admin only views and revokes."""

    list_display = (
        "prefix",
        "user",
        "name",
        "scopes",
        "team",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
    search_fields = ("prefix", "user__username", "name")

    def has_add_permission(self, request: object) -> bool:
        return False
