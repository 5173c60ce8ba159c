"""Acts waiting for a second person, in the admin: the second person confirms (the act is
carried out at once) or declines; the proposer may withdraw. Coordinators see every act
(they confirm the seat changes); Steering Committee members see the motion acts and the
seat changes they proposed themselves."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from members.admin_actions import confirmed_action
from members.selectors import member_for_user

from .. import permissions, services
from ..models import MOTION_KINDS, ActState, PendingAct


@admin.register(PendingAct)
class PendingActAdmin(admin.ModelAdmin):
    list_display = ["__str__", "shown_state", "proposed_by", "expires_at", "reason"]
    list_filter = ["state", "kind"]
    list_select_related = ["proposed_by", "motion", "seat__member", "member"]
    readonly_fields = [
        "kind",
        "shown_state",
        "reason",
        "motion",
        "seat",
        "member",
        "position",
        "term_start",
        "term_end",
        "proposed_by",
        "proposed_at",
        "expires_at",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    fields = readonly_fields
    actions = ["confirm", "decline"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if permissions.can_confirm_seat_acts(request.user):
            return queryset
        acting = member_for_user(request.user)
        visible = Q(kind__in=MOTION_KINDS)
        if acting is not None:
            visible |= Q(proposed_by=acting)
        return queryset.filter(visible)

    def has_add_permission(self, request) -> bool:
        return False  # acts are proposed from the seat and motion pages

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("state"))
    def shown_state(self, act) -> str:
        if act.is_expired:
            return str(ActState.EXPIRED.label)
        return act.get_state_display()

    confirm = confirmed_action(
        name="confirm",
        description=_("Confirm the selected acts and carry them out"),
        statement=_(
            "As the second person, you confirm these acts: each is carried out now, in your "
            "name and its proposer's. An act you proposed, or one about yourself, is refused."
        ),
        call=lambda act, by, note: services.act_confirm(act_id=act.pk, by=by, note=note),
        done_message=ngettext_lazy(
            "%(count)d act confirmed and carried out.",
            "%(count)d acts confirmed and carried out.",
            "count",
        ),
        reason_required=False,
    )
    decline = confirmed_action(
        name="decline",
        description=_("Decline (or withdraw) the selected acts"),
        statement=_("These acts will not be carried out. Their proposers can propose again."),
        call=lambda act, by, note: services.act_decline(act_id=act.pk, by=by, note=note),
        done_message=ngettext_lazy("%(count)d act declined.", "%(count)d acts declined.", "count"),
    )
