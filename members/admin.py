"""Admin for membership. It writes only through `members.services`, and shows a member's
status only to users holding `members.review_status`."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import ActionLocation
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

import audit

from . import data_rights, permissions, services
from .admin_actions import confirmed_action, run_service_action
from .models import (
    Member,
    MembershipApplication,
    MembershipState,
    StatusChangeRequest,
    User,
)


class StatusViewAuditMixin:
    """Puts every admin page that shows members' status on the audit log: the list (as
    one event) and each record opened. `shows_status(request)` says when it does."""

    def shows_status(self, request) -> bool:
        return permissions.can_review_status(request.user)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200 and self.shows_status(request):
            audit.record(
                "status.viewed",
                actor=request.user,
                target=(f"admin:{self.opts.label_lower}.changelist", None),
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and self.shows_status(request) and object_id.isdigit():
            audit.record(
                "status.viewed", actor=request.user, target=(self.opts.label_lower, int(object_id))
            )
        return response


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "is_active", "is_staff", "date_joined"]
    search_fields = ["email"]
    readonly_fields = ["email", "last_login", "date_joined", "password"]
    fields = ["email", "is_active", "is_staff", "is_superuser", "groups", "last_login"]
    filter_horizontal = ["groups"]

    def has_add_permission(self, request) -> bool:
        # Accounts come from applications (or `createsuperuser`). The e-mail address is
        # read-only here, so an add form saved a user with an empty address and no
        # password, and a second one failed on the unique address with a server error.
        return False


@admin.register(Member)
class MemberAdmin(StatusViewAuditMixin, admin.ModelAdmin):
    search_fields = ["pseudonym", "user__email"]

    def get_search_fields(self, request):
        # A search matching addresses answers "is there a member whose address contains
        # ..." letter by letter: only for those who may see addresses.
        if permissions.can_see_addresses(request.user):
            return self.search_fields
        return ["pseudonym"]

    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "status",
        "state",
        "applied_at",
        "approved_at",
        "approved_by",
        "state_changed_at",
        "state_reason",
    ]
    actions = ["suspend", "reinstate", "erase_personal_data"]

    def get_list_display(self, request):
        columns = ["pseudonym", "country", "state", "preferred_language"]
        if permissions.can_review_status(request.user):
            columns.insert(1, "status")
        return columns

    def get_list_filter(self, request):
        filters = ["country", "state"]
        if permissions.can_review_status(request.user):
            filters.append("status")
        return filters

    def lookup_allowed(self, lookup, value, request) -> bool:
        # A status filter typed into the URL would reveal who is a sex worker.
        if lookup.split("__")[0] == "status" and not permissions.can_review_status(request.user):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_fields(self, request, obj=None):
        fields = ["user", "pseudonym", "country", "preferred_language", "state"]
        if permissions.can_review_status(request.user):
            fields.insert(1, "status")
        fields += ["applied_at", "approved_at", "approved_by", "state_changed_at"]
        if permissions.can_manage_membership(request.user):
            fields.append("state_reason")  # a coordinator's words: for coordinators
        return fields

    def has_add_permission(self, request) -> bool:
        # Members come from applications (or seed_demo), never from a bare admin form.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # An erased member is a tombstone: nothing may be written back into it.
        if obj is not None and obj.is_erased:
            return False
        return super().has_change_permission(request, obj)

    def has_erase_permission(self, request) -> bool:
        """Erasing a member's data on their request is for administrators only."""
        return request.user.is_superuser

    @admin.action(description=_("Erase the selected members' personal data"), permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        # Irreversible: the first submission shows what will happen; only the form on that
        # page (carrying "confirmed") erases.
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "admin/members/member/erase_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Erase personal data"),
                    "opts": self.opts,
                    "members": list(queryset),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        run_service_action(
            self,
            request,
            queryset,
            lambda member, by: data_rights.member_erase(
                member_id=member.pk, requested_by=request.user
            ),
            ngettext_lazy(
                "%(count)d member's data erased.", "%(count)d members' data erased.", "count"
            ),
        )
        return None

    def has_manage_membership_permission(self, request) -> bool:
        """Suspending and reinstating: coordinators and administrators."""
        return permissions.can_manage_membership(request.user)

    suspend = confirmed_action(
        name="suspend",
        description=_("Suspend the selected memberships"),
        statement=_(
            "These members will no longer be able to log in, vote or hold a role: their seats "
            "and spokesperson assignments end now, and their sessions end. Their data stays. "
            "You can reinstate them later; their roles do not come back by themselves."
        ),
        call=lambda member, by, reason: services.membership_state_set(
            member_id=member.pk, state=MembershipState.SUSPENDED, by=by, reason=reason
        ),
        done_message=ngettext_lazy(
            "%(count)d membership suspended.", "%(count)d memberships suspended.", "count"
        ),
        permissions=["manage_membership"],
    )
    reinstate = confirmed_action(
        name="reinstate",
        description=_("Reinstate the selected memberships"),
        statement=_(
            "These members will be active again and able to log in. Roles they held before "
            "are not given back."
        ),
        call=lambda member, by, reason: services.membership_state_set(
            member_id=member.pk, state=MembershipState.ACTIVE, by=by, reason=reason
        ),
        done_message=ngettext_lazy(
            "%(count)d membership reinstated.", "%(count)d memberships reinstated.", "count"
        ),
        permissions=["manage_membership"],
    )


class DecisionAdminMixin:
    """Applications and status changes are decided by actions that call the services;
    the rows themselves are read-only."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        if not permissions.can_approve_membership(request.user):
            return {}
        return actions


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(DecisionAdminMixin, admin.ModelAdmin):
    list_display = ["member", "submitted_at", "decision", "decided_at"]
    list_filter = ["decision"]
    search_fields = ["member__pseudonym", "member__user__email"]
    list_select_related = ["member"]
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member", "decided_by")

    approve = confirmed_action(
        name="approve",
        description=_("Approve the selected applications"),
        statement=_(
            "These applicants become members and can log in; those who declared themselves "
            "sex workers can vote and be elected. They are told by e-mail."
        ),
        call=lambda app, by, reason: services.application_approve(application_id=app.pk, by=by),
        done_message=ngettext_lazy(
            "%(count)d application approved.", "%(count)d applications approved.", "count"
        ),
        reason_required=False,
    )
    reject = confirmed_action(
        name="reject",
        description=_("Reject the selected applications"),
        statement=_(
            "These applicants do not become members and are told by e-mail. Their accounts "
            "are deleted after the retention time."
        ),
        call=lambda app, by, reason: services.application_reject(
            application_id=app.pk, by=by, reason=reason
        ),
        done_message=ngettext_lazy(
            "%(count)d application rejected.", "%(count)d applications rejected.", "count"
        ),
        reason_required=False,
    )


@admin.register(StatusChangeRequest)
class StatusChangeRequestAdmin(StatusViewAuditMixin, DecisionAdminMixin, admin.ModelAdmin):
    list_display = ["member", "requested_at", "decision", "decided_at"]
    list_filter = ["decision"]
    list_select_related = ["member"]
    actions = ["approve", "reject"]

    def has_view_permission(self, request, obj=None) -> bool:
        # The request names the statuses: only those who may review status see it.
        return permissions.can_review_status(request.user) and super().has_view_permission(
            request, obj
        )

    approve = confirmed_action(
        name="approve",
        description=_("Approve the selected status changes"),
        statement=_(
            "These members' status changes now. A member who is no longer a sex worker loses "
            "every seat and spokesperson assignment and the right to vote; their sessions end."
        ),
        call=lambda change, by, reason: services.status_change_approve(
            request_id=change.pk, by=by, reason=reason
        ),
        done_message=ngettext_lazy(
            "%(count)d status change approved.", "%(count)d status changes approved.", "count"
        ),
        reason_required=False,
    )
    reject = confirmed_action(
        name="reject",
        description=_("Reject the selected status changes"),
        statement=_("These members' status stays as it is; they are told by e-mail."),
        call=lambda change, by, reason: services.status_change_reject(
            request_id=change.pk, by=by, reason=reason
        ),
        done_message=ngettext_lazy(
            "%(count)d status change rejected.", "%(count)d status changes rejected.", "count"
        ),
        reason_required=False,
    )
