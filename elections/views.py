"""Member pages for elections: the list, an election with its candidates, standing and
accepting a nomination, the ranking ballot (no JavaScript: one choice of rank per
candidate), the receipt (shown once) and the results with every stage of the count."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from governance.forms import ReceiptCheckForm
from governance.services import ballot_box
from members import eligibility
from members.models import Member
from members.selectors import member_for_user

from . import selectors, services
from .models import STATEMENT_MAX_LENGTH, ElectionState

RESULT_STATES = (ElectionState.PUBLISHED, ElectionState.SEATED)
CLOSED_STATES = (ElectionState.COUNTED, *RESULT_STATES)


def _election_or_404(election_id: int):
    election = selectors.election_for_members(election_id)
    if election is None:
        raise Http404
    return election


@login_required
def election_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "elections/election_list.html",
        {"elections": list(selectors.elections_for_members())},
    )


def _stage_rows(election, candidates) -> list[dict]:
    """The count's stages as table rows: votes shown to five decimals."""
    result = election.result
    names = {c.pk: c.member.pseudonym for c in candidates}
    scale = result["scale"]
    rows = []
    for number, stage in enumerate(result["stages"], start=1):
        rows.append(
            {
                "number": number,
                "action": stage["action"],
                "candidate": names.get(stage["candidate"], ""),
                "votes": [f"{v / scale:.5f}" for v in stage["votes"]],
                "non_transferable": f"{stage['non_transferable'] / scale:.5f}",
                "elected": [names[c] for c in stage["elected"]],
                "tie_break": stage["tie_break"],
            }
        )
    return rows


@login_required
def election_detail(request: HttpRequest, election_id: int) -> HttpResponse:
    election = _election_or_404(election_id)
    member = member_for_user(request.user)
    candidates = selectors.candidates(election)
    now = timezone.now()
    context = {
        "election": election,
        "candidates": candidates,
        "awaiting": selectors.nominations_awaiting(election, member),
        "can_stand": election.state == ElectionState.CONFIRMED
        and election.nominations_open_at <= now < election.nominations_close_at
        and eligibility.is_eligible(member)
        and member.pk not in {c.member_id for c in candidates},
        "statement_max_length": STATEMENT_MAX_LENGTH,
        "can_nominate": election.state == ElectionState.CONFIRMED
        and election.nominations_open_at <= now < election.nominations_close_at
        and eligibility.is_eligible(member),
    }
    if election.state == ElectionState.VOTING:
        voted = selectors.has_voted(election, member)
        context["has_voted"] = voted
        context["can_vote"] = not voted and eligibility.is_eligible(member)
        context["ballot"] = [c for c in candidates if c.ballot_number is not None]
        context["ranks"] = range(1, len(context["ballot"]) + 1)
    if election.state in RESULT_STATES:
        ballot = sorted(
            (c for c in candidates if c.ballot_number is not None),
            key=lambda c: c.ballot_number,
        )
        context["result_candidates"] = ballot
        context["ranked"] = sorted((c for c in ballot if c.count_rank), key=lambda c: c.count_rank)
        context["stages"] = _stage_rows(election, ballot)
        context["quota"] = f"{election.result['quota'] / election.result['scale']:.5f}"
    return render(request, "elections/election_detail.html", context)


@login_required
@require_POST
def election_stand(request: HttpRequest, election_id: int) -> HttpResponse:
    """Stand yourself (with a statement), or accept a nomination by someone else."""
    election = _election_or_404(election_id)
    member = member_for_user(request.user)
    if member is None:
        raise Http404
    statement = request.POST.get("statement", "")
    if len(statement) > STATEMENT_MAX_LENGTH or request.POST.get("consent") != "yes":
        messages.error(
            request,
            _(
                "Confirm that you agree to the members knowing you stand, and keep the "
                "statement short."
            ),
        )
        return redirect("elections:election_detail", election_id=election.pk)
    awaiting = selectors.nominations_awaiting(election, member)
    try:
        if awaiting:
            services.candidacy_accept(candidacy_id=awaiting[0].pk, by=member, statement=statement)
        else:
            services.candidacy_nominate(
                election_id=election.pk, member_id=member.pk, by=member, statement=statement
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You stand in this election."))
    return redirect("elections:election_detail", election_id=election.pk)


# Errors about the nominator, which they may be told; any other refusal (no such address,
# a nominee who cannot stand, one already nominated) would tell them something about the
# nominee's status, so it gets the same answer as a nomination made.
_NOMINATOR_REFUSALS = {"nominations_closed", *eligibility.MESSAGES}


@login_required
@require_POST
def election_nominate(request: HttpRequest, election_id: int) -> HttpResponse:
    """Nominate another member by their e-mail address. They stand only if they accept."""
    election = _election_or_404(election_id)
    member = member_for_user(request.user)
    if member is None:
        raise Http404
    email = request.POST.get("email", "").strip()[:254]
    nominee = Member.objects.filter(user__email__iexact=email).exclude(pk=member.pk).first()
    try:
        services.candidacy_nominate(
            election_id=election.pk, member_id=nominee.pk if nominee else 0, by=member
        )
    except ValidationError as error:
        if error.code in _NOMINATOR_REFUSALS:
            messages.error(request, " ".join(error.messages))
            return redirect("elections:election_detail", election_id=election.pk)
    messages.success(
        request,
        _(
            "Thank you. If they can stand, they will find your nomination when they log in, "
            "and they stand only if they accept it."
        ),
    )
    return redirect("elections:election_detail", election_id=election.pk)


def _ranks_from(request: HttpRequest) -> dict[int, int | None]:
    """`rank_<candidacy id>` fields: a number, or empty for no rank. Anything else is
    a tampered form, refused like a bad ranking."""
    ranks = {}
    for name, value in request.POST.items():
        if not name.startswith("rank_"):
            continue
        key = name.removeprefix("rank_")
        if not key.isdigit() or (value and not value.isdigit()) or len(value) > 3:
            raise ValidationError(_("This ballot names someone who is not a candidate."))
        ranks[int(key)] = int(value) if value else None
    return ranks


@login_required
@require_POST
@never_cache
def election_vote(request: HttpRequest, election_id: int) -> HttpResponse:
    election = _election_or_404(election_id)
    member = member_for_user(request.user)
    if member is None:
        raise Http404
    try:
        code = services.ballot_cast(
            election_id=election.pk, voter=member, ranks=_ranks_from(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("elections:election_detail", election_id=election.pk)
    return render(request, "elections/election_receipt.html", {"election": election, "code": code})


@login_required
@require_http_methods(["GET", "POST"])
def receipt_check(request: HttpRequest, election_id: int) -> HttpResponse:
    """Once voting has closed, a voter checks that the ballot with their receipt code was
    counted. The code says nothing of who cast it or how."""
    election = _election_or_404(election_id)
    if election.state not in CLOSED_STATES:
        messages.error(request, _("Receipts can be checked once voting has closed."))
        return redirect("elections:election_detail", election_id=election.pk)
    form = ReceiptCheckForm(request.POST or None)
    counted = None
    if request.method == "POST" and form.is_valid():
        counted = ballot_box.receipt_is_counted(box=election.box, code=form.cleaned_data["code"])
    return render(
        request,
        "elections/receipt_check.html",
        {"election": election, "form": form, "counted": counted},
    )
