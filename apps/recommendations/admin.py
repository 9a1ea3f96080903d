from django import forms
from django.contrib import admin
from django.http import HttpRequest

from apps.accounts.choices import Role
from apps.recommendations.factors import DEFAULT_FACTORS
from apps.recommendations.models import FactorOverride, Recommendation


class FactorOverrideForm(forms.ModelForm):
    class Meta:
        model = FactorOverride
        fields = ["key", "value", "pessimistic", "optimistic", "note"]

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if key not in DEFAULT_FACTORS:
            raise forms.ValidationError(f"Unknown factor; one of: {', '.join(DEFAULT_FACTORS)}")
        return key


@admin.register(FactorOverride)
class FactorOverrideAdmin(admin.ModelAdmin):
    form = FactorOverrideForm
    list_display = ["key", "value", "pessimistic", "optimistic", "note", "updated_by", "updated_at"]

    # Factors are deployment policy: every costgov admin (role) may edit them, without needing
    # Django model permissions granted one by one.
    def _is_admin(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (user.is_superuser or user.role == Role.ADMIN)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._is_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._is_admin(request)

    def save_model(
        self, request: HttpRequest, obj: FactorOverride, form: object, change: bool
    ) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["endpoint", "lever", "status", "savings_monthly", "confidence", "computed_at"]
    list_filter = ["status", "lever", "confidence"]
    readonly_fields = [f.name for f in Recommendation._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
