"""The append-only history of seats and assignments in the admin."""

from django.contrib import admin

from ..models import Seat, SpokespersonAssignment


class HistoryAdmin(admin.ModelAdmin):
    """The append-only history of seats and assignments (who, when, what, why): readable
    by administrators only; the database refuses changes to it."""

    list_display = ["pgh_created_at", "pgh_label", "pgh_obj", "pgh_context"]
    list_filter = ["pgh_label"]

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.register(Seat.pgh_event_model, HistoryAdmin)
admin.site.register(SpokespersonAssignment.pgh_event_model, HistoryAdmin)
