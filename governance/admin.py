"""Admin for seats, spokesperson assignments and topics. Every write goes through
`governance.services`; refusals (the eligibility rule, overlapping terms) show as form
errors or admin messages, never as a server error."""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from modeltranslation.admin import TranslationAdmin

from members.admin import run_service_action
from members.models import Country, Language, Member, MembershipState
from members.selectors import member_for_user

from . import permissions, selectors, services
from .models import AssignmentState, Motion, MotionState, Seat, SpokespersonAssignment, Topic
from .models.motions import FROZEN_FIELDS, LANGUAGE_CODES


class ServiceAdminForm(forms.ModelForm):
    """An add form whose clean() calls the service. A refusal becomes a form error; on
    success the saved object replaces the unsaved instance, and save_model does nothing."""

    acting_member = None  # set per request by ServiceAddAdminMixin.get_form

    def call_service(self, data: dict):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = self.call_service(cleaned)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return cleaned


class ServiceAddAdminMixin:
    add_form: type[ServiceAdminForm]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type(
                "BoundAddForm", (self.add_form,), {"acting_member": member_for_user(request.user)}
            )
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        # The service saved it in form.clean(); admin's transaction covers both.
        if change:
            raise ValidationError("Changes go through actions.")

    def save_related(self, request, form, formsets, change):
        pass

    def get_readonly_fields(self, request, obj=None):
        # The add form is the service's input; an existing row is only read.
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _active_members():
    return Member.objects.filter(state=MembershipState.ACTIVE).order_by("pseudonym")


class SeatAddForm(ServiceAdminForm):
    class Meta:
        model = Seat
        fields = ["member", "position", "term_start", "term_end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _active_members()

    def _post_clean(self):
        # Model validation would check the rule again before the service locks the member
        # row; the service does it properly, so skip the model's full_clean here.
        pass

    def call_service(self, data):
        return services.seat_assign(
            member_id=data["member"].pk,
            position=data["position"],
            term_start=data["term_start"],
            term_end=data["term_end"],
            by=self.acting_member,
        )


@admin.register(Seat)
class SeatAdmin(ServiceAddAdminMixin, admin.ModelAdmin):
    add_form = SeatAddForm
    list_display = ["member", "position", "term_start", "term_end", "ended_on"]
    list_filter = ["position"]
    list_select_related = ["member"]
    search_fields = ["member__pseudonym"]
    readonly_fields = ["member", "position", "term_start", "term_end", "ended_on", "end_reason"]
    actions = ["end_seats"]

    def has_module_permission(self, request) -> bool:
        return permissions.can_manage_seats(request.user) or super().has_module_permission(request)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        if not permissions.can_manage_seats(request.user):
            return {}
        return super().get_actions(request, action_location)

    @admin.action(description=_("End the selected seats today"))
    def end_seats(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda seat, by: services.seat_end(
                seat_id=seat.pk, by=by, reason=str(_("Ended in the admin."))
            ),
            ngettext_lazy("%(count)d seat ended.", "%(count)d seats ended.", "count"),
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

    @admin.action(description=_("Approve the selected assignments"))
    def approve(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda a, by: services.spokesperson_approve(assignment_id=a.pk, by=by),
            ngettext_lazy(
                "%(count)d assignment approved.", "%(count)d assignments approved.", "count"
            ),
        )

    @admin.action(description=_("Reject the selected assignments"))
    def reject(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda a, by: services.spokesperson_reject(
                assignment_id=a.pk, by=by, reason=str(_("Rejected in the admin."))
            ),
            ngettext_lazy(
                "%(count)d assignment rejected.", "%(count)d assignments rejected.", "count"
            ),
        )

    @admin.action(description=_("Revoke the selected assignments"))
    def revoke(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda a, by: services.spokesperson_revoke(
                assignment_id=a.pk, by=by, reason=str(_("Revoked in the admin."))
            ),
            ngettext_lazy(
                "%(count)d assignment revoked.", "%(count)d assignments revoked.", "count"
            ),
        )


@admin.register(Topic)
class TopicAdmin(TranslationAdmin):
    list_display = ["slug", "name"]


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


@admin.register(Motion)
class MotionAdmin(TranslationAdmin):
    """The Steering Committee drafts and translates motions here, then opens, closes and
    publishes them with actions that call the services. Once open, a motion is read-only
    (and the database refuses changes to its text and rules)."""

    list_display = ["title", "state", "opens_at", "closes_at", "missing_languages", "turnout"]
    list_filter = ["state"]
    search_fields = ["title"]
    actions = ["open_motions", "close_motions", "publish_motions"]
    fieldsets = [
        (None, {"fields": ["title", "text"]}),
        (
            _("Rules"),
            {
                "fields": [
                    "electorate",
                    "ballot_kind",
                    "majority",
                    "quorum_percent",
                    "opens_at",
                    "closes_at",
                    "allow_language_fallback",
                ]
            },
        ),
        (_("Progress"), {"fields": ["state", "roll_size", "roll_digest", "turnout", "result"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        progress = ["state", "roll_size", "roll_digest", "turnout", "result"]
        if obj is None or obj.state == MotionState.DRAFT:
            return progress
        translated = [f"{name}_{code}" for name in ("title", "text") for code in LANGUAGE_CODES]
        return progress + FROZEN_FIELDS + translated

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.state != MotionState.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        # An opened motion is shown read-only, without Save buttons: its text and rules are
        # frozen (and the database refuses changes anyway).
        if obj is not None and obj.state != MotionState.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        if not permissions.can_manage_motions(request.user):
            return {}
        return super().get_actions(request, action_location)

    def save_model(self, request, obj, form, change):
        if obj.state != MotionState.DRAFT:
            return  # read-only once open; the form has no editable fields then
        if not change and obj.proposer_id is None:
            obj.proposer = member_for_user(request.user)
        super().save_model(request, obj, form, change)

    @admin.display(description=_("missing translations"))
    def missing_languages(self, motion) -> str:
        return ", ".join(motion.missing_languages()) or "–"

    @admin.display(description=_("turnout"))
    def turnout(self, motion) -> str:
        # While voting is open only the number of voters is known to anyone; the choices
        # are counted when the motion closes.
        if motion.state == MotionState.OPEN:
            return f"{selectors.turnout_while_open(motion)} / {motion.roll_size}"
        if motion.turnout is not None:
            return f"{motion.turnout} / {motion.roll_size}"
        return "–"

    @admin.display(description=_("result"))
    def result(self, motion) -> str:
        if motion.yes_count is None:
            return str(_("Hidden until voting closes."))
        return str(
            _("Yes %(yes)d, no %(no)d, abstain %(abstain)d: %(outcome)s")
            % {
                "yes": motion.yes_count,
                "no": motion.no_count,
                "abstain": motion.abstain_count,
                "outcome": motion.get_outcome_display(),
            }
        )

    @admin.action(description=_("Open the selected motions for voting"))
    def open_motions(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda motion, by: services.motion_open(motion_id=motion.pk, by=by),
            ngettext_lazy("%(count)d motion opened.", "%(count)d motions opened.", "count"),
        )

    @admin.action(description=_("Close the selected motions and count the votes"))
    def close_motions(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda motion, by: services.motion_close(motion_id=motion.pk, by=by),
            ngettext_lazy("%(count)d motion closed.", "%(count)d motions closed.", "count"),
        )

    @admin.action(description=_("Publish the results of the selected motions"))
    def publish_motions(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda motion, by: services.motion_publish(motion_id=motion.pk, by=by),
            ngettext_lazy("%(count)d result published.", "%(count)d results published.", "count"),
        )
