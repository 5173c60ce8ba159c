from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from members import eligibility
from members.permissions import member_or_403
from members.selectors import member_for_user

from .. import permissions, selectors, services
from ..forms import ActDecisionForm, DecisionForm, EndAssignmentForm, SpokespersonRequestForm
from ..models import SEAT_KINDS, PendingAct


@login_required
def committee(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/committee.html", {"seats": selectors.active_seats()})


@login_required
def spokespersons(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "governance/spokespersons.html",
        {"assignments": selectors.approved_spokespersons()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_assignments(request: HttpRequest) -> HttpResponse:
    member = member_or_403(request)
    may_ask = permissions.can_ask_to_be_spokesperson(member)
    form = SpokespersonRequestForm(request.POST or None) if may_ask else None
    status = 200
    if request.method == "POST":
        if not may_ask:
            # Allies see no form; a hand-made POST gets the rule's own message.
            messages.error(request, eligibility.eligibility_error(member).messages[0])
            status = 403
        elif form.is_valid():
            try:
                services.spokesperson_propose(member_id=member.pk, by=member, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your request has been sent to the coordinators."))
                return redirect("governance:my_assignments")
    return render(
        request,
        "governance/my_assignments.html",
        {
            "form": form,
            "assignments": selectors.assignments_of(member),
            "end_form": EndAssignmentForm(),
        },
        status=status,
    )


@login_required
@require_POST
def assignment_end(request: HttpRequest, assignment_id: int) -> HttpResponse:
    member = member_or_403(request)
    form = EndAssignmentForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.spokesperson_end(assignment_id=assignment_id, by=member, reason=reason)
    except ValidationError as error:
        if error.code in ("unknown_assignment", "not_yours"):
            # Another member's assignment looks exactly like a missing one.
            return render(request, "governance/not_found.html", status=404)
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The assignment has ended."))
    return redirect("governance:my_assignments")


def _coordinator_or_403(request: HttpRequest):
    if not permissions.can_approve_spokespersons(request.user):
        raise PermissionDenied(_("Only coordinators can do this."))
    return member_for_user(request.user)


@login_required
def coordinator_spokespersons(request: HttpRequest) -> HttpResponse:
    _coordinator_or_403(request)
    return render(
        request,
        "governance/coordinator_spokespersons.html",
        {
            "pending": selectors.pending_assignments(),
            "approved": selectors.approved_spokespersons(),
        },
    )


@login_required
@require_POST
def assignment_decide(request: HttpRequest, assignment_id: int) -> HttpResponse:
    coordinator = _coordinator_or_403(request)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The decision could not be read. Nothing was changed."))
        return redirect("governance:coordinator_spokespersons")
    decide = (
        services.spokesperson_approve
        if form.cleaned_data["decision"] == "approve"
        else services.spokesperson_reject
    )
    try:
        decide(assignment_id=assignment_id, by=coordinator, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        if error.code == "unknown_assignment":
            return render(request, "governance/not_found.html", status=404)
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Decision saved."))
    return redirect("governance:coordinator_spokespersons")


@login_required
@require_POST
def assignment_revoke(request: HttpRequest, assignment_id: int) -> HttpResponse:
    coordinator = _coordinator_or_403(request)
    form = EndAssignmentForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.spokesperson_revoke(
            assignment_id=assignment_id, by=coordinator, reason=reason or _("Revoked.")
        )
    except ValidationError as error:
        if error.code == "unknown_assignment":
            return render(request, "governance/not_found.html", status=404)
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The assignment has been revoked."))
    return redirect("governance:coordinator_spokespersons")


def _seat_confirmer_or_403(request: HttpRequest):
    if not permissions.can_confirm_seat_acts(request.user):
        raise PermissionDenied(_("Only coordinators can do this."))
    return member_for_user(request.user)


@login_required
def coordinator_seats(request: HttpRequest) -> HttpResponse:
    """Seat changes the Steering Committee proposed, for a coordinator to confirm or decline."""
    _seat_confirmer_or_403(request)
    return render(
        request, "governance/coordinator_seats.html", {"acts": selectors.pending_seat_acts()}
    )


@login_required
@require_POST
def seat_act_decide(request: HttpRequest, act_id: int) -> HttpResponse:
    coordinator = _seat_confirmer_or_403(request)
    form = ActDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The decision could not be read. Nothing was changed."))
        return redirect("governance:coordinator_seats")
    act = PendingAct.objects.filter(pk=act_id, kind__in=SEAT_KINDS).first()
    if act is None:
        return render(request, "governance/not_found.html", status=404)
    note = form.cleaned_data["note"]
    try:
        if form.cleaned_data["decision"] == "confirm":
            services.act_confirm(act_id=act.pk, by=coordinator, note=note)
        else:
            services.act_decline(act_id=act.pk, by=coordinator, note=note)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Decision saved."))
    return redirect("governance:coordinator_seats")
