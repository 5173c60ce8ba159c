"""Member pages for motions: the list, a motion in the member's language, the ballot with
a confirmation step, the receipt (shown once), and the receipt check after the close."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from members.selectors import member_for_user

from .. import permissions, receipts, selectors, services, tally, vote_reasons
from ..forms import BallotForm, ReceiptCheckForm
from ..models import BallotKind, Choice, MajorityRule, MotionState

CHART_WIDTH = 300


def _closed_what_was_due(motions) -> bool:
    """The first request that sees a motion whose window has ended closes it (and any other
    that is due), even without the scheduler. Only then: no query on other requests."""
    now = timezone.now()
    if any(m.state == MotionState.OPEN and m.closes_at <= now for m in motions):
        services.motions_close_due(now=now)
        return True
    return False


def _motion_or_404(request: HttpRequest, motion_id: int):
    member = member_for_user(request.user)
    motion = selectors.motion_for_member(motion_id, member)
    if motion is not None and _closed_what_was_due([motion]):
        motion = selectors.motion_for_member(motion_id, member)
    if motion is None:
        raise Http404
    return member, motion


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def result_rows(motion) -> dict:
    """What the results page shows: yes and no as shares of the base the majority rule
    uses (tally.majority_base), abstentions apart (they count toward the quorum only),
    and the quorum as reached against required. The chart and the table beside it are
    drawn from the same rows."""
    base = tally.majority_base(
        yes=motion.yes_count, no=motion.no_count, roll_size=motion.roll_size, rule=motion.majority
    )
    rows = []
    for index, (choice, count, in_base) in enumerate(
        [
            (Choice.YES, motion.yes_count, True),
            (Choice.NO, motion.no_count, True),
            (Choice.ABSTAIN, motion.abstain_count, False),
        ]
    ):
        share = _percent(count, base) if in_base else None
        rows.append(
            {
                "label": choice.label,
                "count": count,
                "percent": share,
                # Abstentions have no share of the base: their bar is drawn to the turnout.
                "width": round(CHART_WIDTH * count / max(base if in_base else motion.turnout, 1)),
                "y": index * 40,
                "text_y": index * 40 + 20,
            }
        )
    return {
        "bars": rows,
        "base": base,
        "base_is_roll": motion.majority == MajorityRule.ABSOLUTE,
        "turnout_percent": _percent(motion.turnout, motion.roll_size),
    }


@login_required
def motion_list(request: HttpRequest) -> HttpResponse:
    member = member_for_user(request.user)
    motions = selectors.motions_for_member(member)
    if _closed_what_was_due(motions):
        motions = selectors.motions_for_member(member)
    now = timezone.now()
    open_motions = [m for m in motions if m.state == MotionState.OPEN and m.opens_at <= now]
    for motion in open_motions:
        motion.can_vote = permissions.can_vote(member, motion)
    return render(
        request,
        "governance/motion_list.html",
        {
            "open_motions": open_motions,
            # Opened by the committee, but their voting window has not started.
            "upcoming_motions": [
                m for m in motions if m.state == MotionState.OPEN and m.opens_at > now
            ],
            "past_motions": [m for m in motions if m.state != MotionState.OPEN],
        },
    )


@login_required
def motion_detail(request: HttpRequest, motion_id: int) -> HttpResponse:
    member, motion = _motion_or_404(request, motion_id)
    language = translation.get_language()
    context = {
        "motion": motion,
        "reading_fallback": not getattr(motion, f"title_{language}", None)
        or not getattr(motion, f"text_{language}", None),
        "can_vote": permissions.can_vote(member, motion),
        "not_voting_reason": vote_reasons.not_voting_reason(member, motion),
        "form": BallotForm(),
        "show_results": permissions.can_see_results(request.user, motion),
        "turnout_so_far": (
            selectors.turnout_while_open(motion)
            if motion.state == MotionState.OPEN and permissions.can_manage_motions(request.user)
            else None
        ),
    }
    if context["show_results"]:
        context.update(result_rows(motion))
        context["chart_height"] = 3 * 40
        if motion.ballot_kind == BallotKind.ROLL_CALL and motion.state == MotionState.PUBLISHED:
            context["roll_call"] = selectors.roll_call_votes(motion)
    return render(request, "governance/motion_detail.html", context)


# The receipt code rides in a cookie of the voter's own browser, never in the database,
# the session, a URL or a log: the receipt page can be shown again (a reload, a change of
# language) until the voter says they have noted it, or for a quarter of an hour.
RECEIPT_COOKIE = "receipt"
RECEIPT_COOKIE_SECONDS = 15 * 60


def _receipt_url(motion_id: int) -> str:
    return reverse("governance:motion_receipt", args=[motion_id])


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def motion_vote(request: HttpRequest, motion_id: int) -> HttpResponse:
    """Two steps without JavaScript: `confirm` shows the ballot back with the choice
    checked; `cast` casts it and shows the receipt. Both pages have the same size
    whatever the choice. A GET (a reload after a change of language) goes back to the
    motion."""
    if request.method == "GET":
        return redirect("governance:motion_detail", motion_id=motion_id)
    if request.POST.get("step") == "cast":
        response = _cast(request, motion_id)
        if response is not None:
            return response
    member, motion = _motion_or_404(request, motion_id)
    form = BallotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose yes, no or abstain."))
        return redirect("governance:motion_detail", motion_id=motion.pk)
    if request.POST.get("step") != "cast":
        if not permissions.can_vote(member, motion):
            messages.error(request, _("You cannot vote on this motion."))
            return redirect("governance:motion_detail", motion_id=motion.pk)
        return render(
            request,
            "governance/motion_confirm.html",
            {
                "motion": motion,
                "form": form,
                "language_next": reverse("governance:motion_detail", args=[motion.pk]),
            },
        )
    # A valid cast by a member was answered by _cast; what is left has no membership.
    messages.error(request, _("You cannot vote on this motion."))
    return redirect("governance:motion_detail", motion_id=motion.pk)


def _cast(request: HttpRequest, motion_id: int) -> HttpResponse | None:
    """The hot path of a general assembly: one statement, nothing read before it. None
    sends every other case (a refusal, an invalid form, an account without membership)
    through the ordinary path, which reads the motion for the message (and answers 404
    for drafts and unknown motions)."""
    member = member_for_user(request.user)
    form = BallotForm(request.POST)
    if member is None or not form.is_valid():
        return None
    try:
        code = services.ballot_cast(
            motion_id=motion_id, voter=member, choice=form.cleaned_data["choice"]
        )
    except ValidationError as error:
        if error.code == "already_voted" and RECEIPT_COOKIE in request.COOKIES:
            # The browser sent the cast again (a reload): show the receipt once more.
            return redirect(_receipt_url(motion_id))
        member, motion = _motion_or_404(request, motion_id)
        messages.error(request, " ".join(error.messages))
        return redirect("governance:motion_detail", motion_id=motion.pk)
    response = _receipt_page(request, motion_id, code)
    response.set_cookie(
        RECEIPT_COOKIE,
        code,
        max_age=RECEIPT_COOKIE_SECONDS,
        path=_receipt_url(motion_id),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


def _receipt_page(request: HttpRequest, motion_id: int, code: str) -> HttpResponse:
    return render(
        request,
        "governance/motion_receipt.html",
        {"motion_id": motion_id, "code": code, "language_next": _receipt_url(motion_id)},
    )


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def motion_receipt(request: HttpRequest, motion_id: int) -> HttpResponse:
    """The receipt again, from the voter's cookie (GET); forget it (POST)."""
    code = request.COOKIES.get(RECEIPT_COOKIE, "")
    if request.method == "GET" and receipts.is_well_formed(code):
        return _receipt_page(request, motion_id, code)
    response = redirect("governance:motion_detail", motion_id=motion_id)
    response.delete_cookie(RECEIPT_COOKIE, path=_receipt_url(motion_id), samesite="Strict")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def receipt_check(request: HttpRequest, motion_id: int) -> HttpResponse:
    member, motion = _motion_or_404(request, motion_id)
    if motion.state not in (MotionState.CLOSED, MotionState.PUBLISHED) or not motion.on_roll:
        messages.error(
            request,
            _("Receipts can be checked by members on the roll once voting has closed."),
        )
        return redirect("governance:motion_detail", motion_id=motion.pk)
    form = ReceiptCheckForm(request.POST or None)
    counted = None
    if request.method == "POST" and form.is_valid():
        counted = services.receipt_is_counted(motion=motion, code=form.cleaned_data["code"])
    return render(
        request,
        "governance/receipt_check.html",
        {"motion": motion, "form": form, "counted": counted},
    )


@login_required
def counted_receipts(request: HttpRequest, motion_id: int) -> HttpResponse:
    """The published list of a motion's counted receipts (sha256 of each code, one a line),
    the bulletin board a voter can check their receipt against without asking anyone.
    Public to members with the result; it says nothing about who cast which."""
    _member, motion = _motion_or_404(request, motion_id)
    if not permissions.can_see_results(request.user, motion):
        raise Http404
    lines = services.counted_receipt_hashes(motion=motion)
    response = HttpResponse("".join(f"{line}\n" for line in lines), content_type="text/plain")
    response["Content-Disposition"] = f'attachment; filename="receipts-{motion.pk}.txt"'
    return response
