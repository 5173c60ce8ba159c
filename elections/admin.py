"""The committee's and coordinators' pages for elections: propose (through the service's
own checks), then confirm, open the vote, close and count, and publish with actions that
call the services. Turnout is shown while voting is open, never the votes."""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from members.admin import run_service_action
from members.selectors import member_for_user

from . import selectors, services
from .models import Election, ElectionState

PROPOSAL_FIELDS = [
    "title",
    "position",
    "seats",
    "term_start",
    "term_end",
    "nominations_open_at",
    "nominations_close_at",
    "opens_at",
    "closes_at",
]


class ProposalForm(forms.ModelForm):
    class Meta:
        model = Election
        fields = PROPOSAL_FIELDS

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                services.proposal_check(by=self.proposer, **cleaned)
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from error
        return cleaned


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "seats", "opens_at", "closes_at", "nominations", "turnout"]
    list_filter = ["state"]
    actions = ["confirm", "open_voting", "close_and_count", "publish"]
    form = ProposalForm

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("box")
            .annotate(
                standing=Count("candidacies", filter=Q(candidacies__accepted_at__isnull=False)),
                awaiting=Count("candidacies", filter=Q(candidacies__accepted_at__isnull=True)),
            )
        )

    @admin.display(description=_("nominations"))
    def nominations(self, election) -> str:
        """How many stand and how many nominations wait for an answer: numbers only."""
        return str(
            _("%(standing)d standing, %(awaiting)d awaiting an answer")
            % {"standing": election.standing, "awaiting": election.awaiting}
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.proposer = member_for_user(request.user)
        return form

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [*PROPOSAL_FIELDS, "state", "turnout", "count"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Shown read-only once proposed: a change goes through a new proposal.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.state != ElectionState.PROPOSED:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        if not request.user.has_perm("elections.manage_elections"):
            return {}
        return super().get_actions(request, action_location)

    def save_model(self, request, obj, form, change):
        created = services.election_propose(
            by=member_for_user(request.user),
            **{name: form.cleaned_data[name] for name in PROPOSAL_FIELDS},
        )
        obj.pk = created.pk

    @admin.display(description=_("turnout"))
    def turnout(self, election) -> str:
        if election.state == ElectionState.VOTING:
            return f"{selectors.turnout_while_open(election)} / {election.box.roll_size}"
        return "–"

    @admin.display(description=_("count"))
    def count(self, election) -> str:
        """For the review before publishing: every candidate in the count's order."""
        if election.result is None:
            return str(_("Hidden until voting closes."))
        return ", ".join(
            f"{c.count_rank}. {c.member.pseudonym}" + (" ✓" if c.elected else "")
            for c in election.candidacies.filter(count_rank__isnull=False)
            .select_related("member")
            .order_by("count_rank")
        )

    @admin.action(description=_("Confirm the selected elections"))
    def confirm(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda e, by: services.election_confirm(election_id=e.pk, by=by),
            ngettext_lazy(
                "%(count)d election confirmed.", "%(count)d elections confirmed.", "count"
            ),
        )

    @admin.action(description=_("Open the selected elections for voting"))
    def open_voting(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda e, by: services.voting_open(election_id=e.pk, by=by),
            ngettext_lazy("%(count)d election opened.", "%(count)d elections opened.", "count"),
        )

    @admin.action(description=_("Close the selected elections and count the votes"))
    def close_and_count(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda e, by: services.election_close(election_id=e.pk, by=by),
            ngettext_lazy("%(count)d election counted.", "%(count)d elections counted.", "count"),
        )

    @admin.action(description=_("Publish the results of the selected elections"))
    def publish(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset,
            lambda e, by: services.election_publish(election_id=e.pk, by=by),
            ngettext_lazy("%(count)d result published.", "%(count)d results published.", "count"),
        )
