import datetime

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

import audit

from . import notices, permissions, renewal, selectors, services
from .forms import (
    ApplicationForm,
    DecisionForm,
    MembershipStateForm,
    NoticesForm,
    ProfileForm,
    StatusChangeRequestForm,
)
from .languages import supported_language
from .models import MembershipApplication, MembershipState, NoticeKind, StatusChangeRequest


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("members:dashboard")
    return render(request, "members/home.html")


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("members:dashboard")
    # The language preselected is the one the applicant is reading the form in.
    form = ApplicationForm(
        request.POST or None,
        initial={"preferred_language": supported_language(translation.get_language())},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Per client and per address (settings.ACCOUNT_RATE_LIMITS["apply"]): the same for
        # a new and a known address, so the limit says nothing about membership either.
        if not ratelimit.consume(request, action="apply", key=data["email"].strip().lower()):
            form.add_error(
                None,
                _("Too many applications from here or for this address. Please try again later."),
            )
            return render(request, "members/apply.html", {"form": form}, status=429)
        services.application_submit(
            request=request,
            email=data["email"],
            password=data["password1"],
            pseudonym=data["pseudonym"],
            country=data["country"],
            preferred_language=data["preferred_language"],
            status=data["status"],
            note=data["note"],
        )
        # Same page whether or not the address was already known: no enumeration.
        return redirect("members:apply_done")
    return render(request, "members/apply.html", {"form": form})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "members/privacy.html",
        {"rejected_days": settings.REJECTED_APPLICATION_RETENTION_DAYS},
    )


def apply_done(request: HttpRequest) -> HttpResponse:
    return render(request, "members/apply_done.html")


def apply_confirmed(request: HttpRequest) -> HttpResponse:
    """Where the e-mail confirmation link leads someone not logged in: an applicant cannot
    log in yet, so a login form would only confuse them (ACCOUNT_EMAIL_CONFIRMATION_
    ANONYMOUS_REDIRECT_URL)."""
    return render(request, "members/apply_confirmed.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    member = selectors.member_for_user(request.user)
    today = timezone.localdate()
    waiting = (
        selectors.waiting_counts() if permissions.can_approve_membership(request.user) else None
    )
    context = {
        "member": member,
        "renewal_due": member is not None and renewal.needs_renewal(member, today),
        "renewal_deadline": renewal.deadline(today) - datetime.timedelta(days=1),
        "waiting": waiting,
    }
    return render(request, "members/dashboard.html", context)


@login_required
@require_POST
def renew(request: HttpRequest) -> HttpResponse:
    """The member confirms their membership for this year (a lapsed one is active again)."""
    member = permissions.member_or_403(request)
    try:
        services.membership_renew(member_id=member.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you: your membership is confirmed for this year."))
    return redirect("members:dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    member = permissions.member_or_403(request)
    initial = {
        "pseudonym": member.pseudonym,
        "country": member.country,
        "preferred_language": member.preferred_language,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        member = services.profile_update(member=member, **form.cleaned_data)
        request.preferred_language = member.preferred_language
        # The confirmation is already in the newly chosen language.
        translation.activate(member.preferred_language)
        messages.success(request, _("Your profile has been saved."))
        return redirect("members:profile")
    status_changes = selectors.status_changes_of(member)
    kinds = _notice_kinds(request.user)
    notices_form = NoticesForm(
        kinds=kinds, initial={"wanted": set(kinds) - notices.opt_outs_of(member)}
    )
    return render(
        request,
        "members/profile.html",
        {
            "member": member,
            "form": form,
            "status_changes": status_changes,
            "notices_form": notices_form,
        },
    )


def _notice_kinds(user) -> list[str]:
    """The notices a member may choose between: coordinators also get the one about
    applications and requests waiting for them."""
    kinds = [NoticeKind.MOTION_OPENED, NoticeKind.MOTION_CLOSING, NoticeKind.RESULTS_PUBLISHED]
    if permissions.can_approve_membership(user):
        kinds.append(NoticeKind.WAITING)
    return kinds


@csrf_exempt
@require_http_methods(["GET", "POST"])
def quick_exit(request: HttpRequest) -> HttpResponse:
    """Leave for a harmless site (settings.QUICK_EXIT_URL); a POST (the logged-in
    member's button) ends the session first. A GET (the visitor's link) only leaves: it
    never logs anyone out. Exempt from CSRF on purpose: a stale or missing token must
    never keep someone logged in while they are trying to leave, and the worst a forged
    POST can do is log a member out. The browser is told to drop what it cached of this
    site, so Back shows no member page."""
    if request.method == "POST":
        logout(request)
    response = HttpResponseRedirect(settings.QUICK_EXIT_URL)
    response["Clear-Site-Data"] = '"cache"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def notice_choices(request: HttpRequest) -> HttpResponse:
    member = permissions.member_or_403(request)
    form = NoticesForm(request.POST, kinds=_notice_kinds(request.user))
    if not form.is_valid():
        # Only a tampered form offers a kind that is not on the page.
        raise BadRequest("Unknown notice kind.")
    notices.opt_outs_set(member=member, kinds=form.opt_outs())
    messages.success(request, _("Your choice of e-mails has been saved."))
    return redirect("members:profile")


@login_required
@require_http_methods(["GET", "POST"])
def status_change(request: HttpRequest) -> HttpResponse:
    member = permissions.member_or_403(request)
    form = StatusChangeRequestForm(request.POST or None, current_status=member.status)
    if request.method == "POST" and form.is_valid():
        try:
            services.status_change_request(
                member=member,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your request has been sent to the coordinators."))
            return redirect("members:profile")
    return render(request, "members/status_change.html", {"member": member, "form": form})


def _require_coordinator(request: HttpRequest):
    if not permissions.can_approve_membership(request.user):
        raise PermissionDenied(_("Only coordinators can do this."))
    return permissions.member_or_403(request)


@login_required
def coordinator_queue(request: HttpRequest) -> HttpResponse:
    _require_coordinator(request)
    show_status = permissions.can_review_status(request.user)
    if show_status:
        # Every look at members' status is on the audit log.
        audit.record(
            "status.viewed", actor=request.user, target=("members:coordinator_queue", None)
        )
    return render(
        request,
        "members/coordinator_queue.html",
        {
            "applications": selectors.pending_applications(),
            "status_changes": selectors.pending_status_changes(),
            "show_status": show_status,
            "decision_form": DecisionForm(),
        },
    )


MEMBERS_PER_PAGE = 50


@login_required
def coordinator_members(request: HttpRequest) -> HttpResponse:
    """Coordinators suspend and reinstate memberships here (or in the admin)."""
    if not permissions.can_manage_membership(request.user):
        raise PermissionDenied(_("Only coordinators can do this."))
    search = request.GET.get("q", "")[:60]
    page = Paginator(selectors.members_for_coordinators(search), MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "members/coordinator_members.html", {"page": page, "search": search})


@login_required
@require_POST
def membership_state_decide(request: HttpRequest, member_id: int) -> HttpResponse:
    if not permissions.can_manage_membership(request.user):
        raise PermissionDenied(_("Only coordinators can do this."))
    coordinator = selectors.member_for_user(request.user)
    form = MembershipStateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason. Nothing was changed."))
        return redirect("members:coordinator_members")
    if not selectors.members_for_coordinators().filter(pk=member_id).exists():
        raise Http404
    state = (
        MembershipState.SUSPENDED
        if form.cleaned_data["action"] == "suspend"
        else MembershipState.ACTIVE
    )
    try:
        services.membership_state_set(
            member_id=member_id, state=state, by=coordinator, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Membership updated."))
    return redirect("members:coordinator_members")


def _decide(request: HttpRequest, approve, reject, object_id: int) -> HttpResponse:
    coordinator = _require_coordinator(request)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The decision could not be read. Nothing was changed."))
        return redirect("members:coordinator_queue")
    try:
        if form.cleaned_data["decision"] == "approve":
            approve(object_id, coordinator, form.cleaned_data["reason"])
            messages.success(request, _("Approved."))
        else:
            reject(object_id, coordinator, form.cleaned_data["reason"])
            messages.success(request, _("Rejected."))
    except (MembershipApplication.DoesNotExist, StatusChangeRequest.DoesNotExist) as error:
        raise Http404 from error
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("members:coordinator_queue")


@login_required
@require_POST
def application_decide(request: HttpRequest, application_id: int) -> HttpResponse:
    return _decide(
        request,
        lambda pk, by, reason: services.application_approve(application_id=pk, by=by),
        lambda pk, by, reason: services.application_reject(application_id=pk, by=by, reason=reason),
        application_id,
    )


@login_required
@require_POST
def status_change_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(
        request,
        lambda pk, by, reason: services.status_change_approve(request_id=pk, by=by, reason=reason),
        lambda pk, by, reason: services.status_change_reject(request_id=pk, by=by, reason=reason),
        request_id,
    )
