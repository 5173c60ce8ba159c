"""Seats, spokesperson assignments and topics in the admin.

Seats are not created or ended here directly: the committee proposes (a form, or the
"end" action), and a coordinator confirms on the acts page (admin/acts.py). The proposal
form answers the same whatever the proposed member's status: the eligibility rule is
checked when a coordinator, who may see status, confirms."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from modeltranslation.admin import TranslationAdmin

from members import permissions as permissions_members
from members.admin_actions import confirmed_action
from members.models import REASON_MAX_LENGTH, Country, Language, Member, MembershipState
from members.selectors import member_for_user

from .. import permissions, services
from ..models import ActKind, AssignmentState, Position, Seat, SpokespersonAssignment, Topic
from .base import ServiceAddAdminMixin, ServiceAdminForm


def _active_members():
    return Member.objects.filter(state=MembershipState.ACTIVE).order_by("pseudonym")


class SeatProposalForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=_active_members())
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices)
    term_start = forms.DateField(
        label=_("Term starts"), widget=forms.DateInput(attrs={"type": "date"})
    )
    term_end = forms.DateField(label=_("Term ends"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["member", "position", "term_start", "term_end", "ended_on"]
    list_filter = ["position"]
    list_select_related = ["member"]
    search_fields = ["member__pseudonym"]
    readonly_fields = ["member", "position", "term_start", "term_end", "ended_on", "end_reason"]
    change_list_template = "admin/governance/seat/change_list.html"
    actions = ["propose_ending"]

    def has_module_permission(self, request) -> bool:
        return permissions.can_manage_seats(request.user) or super().has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False  # seats come from elections or confirmed proposals (propose_view)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        if not permissions.can_manage_seats(request.user):
            return {}
        return super().get_actions(request, action_location)

    def get_urls(self):
        return [
            path(
                "propose/",
                self.admin_site.admin_view(self.propose_view),
                name="governance_seat_propose",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_propose": permissions.can_manage_seats(request.user),
        }
        return super().changelist_view(request, extra_context)

    def propose_view(self, request):
        """Propose seating a member outside an election; a coordinator confirms."""
        if not permissions.can_manage_seats(request.user):
            raise PermissionDenied
        form = SeatProposalForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.act_propose(
                    kind=ActKind.SEAT_ASSIGN,
                    by=member_for_user(request.user),
                    reason=data["reason"],
                    member_id=data["member"].pk,
                    position=data["position"],
                    term_start=data["term_start"],
                    term_end=data["term_end"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("Proposed. Nothing changes until a coordinator confirms it."),
                    level=messages.SUCCESS,
                )
                return redirect(reverse("admin:governance_pendingact_changelist"))
        return TemplateResponse(
            request,
            "admin/governance/seat/propose.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Propose a seat outside an election"),
                "form": form,
                "opts": self.opts,
            },
        )

    propose_ending = confirmed_action(
        name="propose_ending",
        description=_("Propose ending the selected seats"),
        statement=_(
            "You propose ending these seats. Nothing changes until a coordinator confirms; "
            "if nobody confirms in time, the proposal expires. The seat then ends from today."
        ),
        call=lambda seat, by, reason: services.act_propose(
            kind=ActKind.SEAT_END, seat_id=seat.pk, by=by, reason=reason
        ),
        done_message=ngettext_lazy(
            "%(count)d ending proposed.", "%(count)d endings proposed.", "count"
        ),
    )


class AssignmentAddForm(ServiceAdminForm):
    countries = forms.MultipleChoiceField(
        label=_("Countries"), choices=Country.choices, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = SpokespersonAssignment
        fields = ["member", "topics", "countries", "languages", "starts_on", "ends_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _active_members()

    def _post_clean(self):
        pass

    def call_service(self, data):
        return services.spokesperson_propose(
            member_id=data["member"].pk,
            topics=data["topics"],
            countries=data["countries"],
            languages=data["languages"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
            by=self.acting_member,
        )


@admin.register(SpokespersonAssignment)
class SpokespersonAssignmentAdmin(ServiceAddAdminMixin, admin.ModelAdmin):
    add_form = AssignmentAddForm
    list_display = ["member", "state", "starts_on", "ends_on", "proposed_at"]
    list_filter = ["state"]
    list_select_related = ["member"]
    search_fields = ["member__pseudonym"]

    def has_add_permission(self, request) -> bool:
        # Proposing refuses an ally with the rule's message, which tells the proposer the
        # member's status: only those who may see status propose here. Members ask for
        # themselves on their own page.
        return permissions_members.can_review_status(request.user) and super().has_add_permission(
            request
        )

    def get_queryset(self, request):
        # Only sex workers can be proposed, so a proposed or rejected request tells its
        # reader what the member declared. Those who decide (coordinators, administrators)
        # see every request; others see the approved ones and those they proposed.
        queryset = super().get_queryset(request)
        if permissions.can_approve_spokespersons(request.user):
            return queryset
        acting = member_for_user(request.user)
        visible = Q(state=AssignmentState.APPROVED)
        if acting is not None:
            visible |= Q(proposed_by=acting)
        return queryset.filter(visible)

    readonly_fields = [
        "member",
        "countries",
        "languages",
        "starts_on",
        "ends_on",
        "state",
        "proposed_at",
        "proposed_by",
        "decided_at",
        "decided_by",
        "decision_reason",
        "closed_at",
        "close_reason",
    ]
    actions = ["approve", "reject", "revoke"]

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        if not permissions.can_approve_spokespersons(request.user):
            return {}
        return super().get_actions(request, action_location)

    approve = confirmed_action(
        name="approve",
        description=_("Approve the selected assignments"),
        statement=_(
            "These members will speak for the network on their topics, countries and "
            "languages, and will be told by e-mail."
        ),
        call=lambda a, by, reason: services.spokesperson_approve(
            assignment_id=a.pk, by=by, reason=reason
        ),
        done_message=ngettext_lazy(
            "%(count)d assignment approved.", "%(count)d assignments approved.", "count"
        ),
        reason_required=False,
    )
    reject = confirmed_action(
        name="reject",
        description=_("Reject the selected assignments"),
        statement=_("These requests will be refused, and the members told by e-mail."),
        call=lambda a, by, reason: services.spokesperson_reject(
            assignment_id=a.pk, by=by, reason=reason
        ),
        done_message=ngettext_lazy(
            "%(count)d assignment rejected.", "%(count)d assignments rejected.", "count"
        ),
    )
    revoke = confirmed_action(
        name="revoke",
        description=_("Revoke the selected assignments"),
        statement=_(
            "These members will no longer speak for the network from now on, and will be "
            "told by e-mail."
        ),
        call=lambda a, by, reason: services.spokesperson_revoke(
            assignment_id=a.pk, by=by, reason=reason
        ),
        done_message=ngettext_lazy(
            "%(count)d assignment revoked.", "%(count)d assignments revoked.", "count"
        ),
    )


@admin.register(Topic)
class TopicAdmin(TranslationAdmin):
    list_display = ["slug", "name"]
