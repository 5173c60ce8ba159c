"""Motions in the admin: drafting and translating, then proposing the acts a second
committee member confirms (opening, closing early, publishing)."""

from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from modeltranslation.admin import TranslationAdmin

from members.admin_actions import confirmed_action
from members.selectors import member_for_user

from .. import permissions, selectors, services
from ..models import ActKind, BallotKind, Motion, MotionState
from ..models.motions import FROZEN_FIELDS, LANGUAGE_CODES

_SECOND_PERSON = _(
    "Nothing changes until another Steering Committee member confirms it; if nobody "
    "confirms in time, the proposal expires."
)


def _propose(kind):
    return lambda motion, by, reason: services.act_propose(
        kind=kind, motion_id=motion.pk, by=by, reason=reason
    )


ROLL_CALL_WARNING = _(
    "Roll-call: once the result is published, every member, allies included, sees each "
    "voter's pseudonym and vote. Only sex workers vote, so the list shows who they are."
)


def _roll_call_warnings(motions) -> list[str]:
    return [
        f"{motion}: {ROLL_CALL_WARNING}"
        for motion in motions
        if motion.ballot_kind == BallotKind.ROLL_CALL
    ]


_PROPOSED = ngettext_lazy("%(count)d act proposed.", "%(count)d acts proposed.", "count")


@admin.register(Motion)
class MotionAdmin(TranslationAdmin):
    """The Steering Committee drafts and translates motions here, then proposes opening
    them, closing them before their window ends and publishing their results; a second
    committee member confirms on the acts page (admin/acts.py). Once open, a motion is read-only
    (and the database refuses changes to its text and rules)."""

    list_display = ["title", "state", "opens_at", "closes_at", "missing_languages", "turnout"]
    list_filter = ["state"]
    search_fields = ["title"]
    actions = ["propose_opening", "propose_closing", "propose_publishing"]
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "ballot_kind" in form.base_fields:
            form.base_fields["ballot_kind"].help_text = ROLL_CALL_WARNING
        return form

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

    propose_opening = confirmed_action(
        name="propose_opening",
        description=_("Propose opening the selected motions for voting"),
        statement=format_lazy(
            "{} {}",
            _(
                "You propose opening these motions. When confirmed, the electoral roll is frozen "
                "and the text and rules can no longer change."
            ),
            _SECOND_PERSON,
        ),
        call=_propose(ActKind.MOTION_OPEN),
        done_message=_PROPOSED,
        warnings=_roll_call_warnings,
    )
    propose_closing = confirmed_action(
        name="propose_closing",
        description=_("Propose closing the selected motions before their window ends"),
        statement=format_lazy(
            "{} {}",
            _(
                "You propose closing these motions before their voting window ends: members who "
                "have not voted yet will not be able to. A motion closes by itself at the end of "
                "its window."
            ),
            _SECOND_PERSON,
        ),
        call=_propose(ActKind.MOTION_CLOSE),
        done_message=_PROPOSED,
    )
    propose_publishing = confirmed_action(
        name="propose_publishing",
        description=_("Propose publishing the results of the selected motions"),
        statement=format_lazy(
            "{} {}", _("You propose showing these results to every member."), _SECOND_PERSON
        ),
        call=_propose(ActKind.MOTION_PUBLISH),
        done_message=_PROPOSED,
        warnings=_roll_call_warnings,
    )
