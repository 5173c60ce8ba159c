"""Members' data rights pages: download everything held about you, leave and have it
erased, or leave and keep it. Each needs a fresh re-authentication (allauth's
`reauthentication_required`), so an unattended logged-in browser gives neither the data
nor the power to erase it or to end the membership."""

import csv
import io
import json

from allauth.account.decorators import reauthentication_required
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import audit

from . import permissions, services
from .data_rights import member_erase, personal_data_export
from .forms import ErasureConfirmForm, ResignForm


@login_required
@require_GET
@reauthentication_required
def data_rights(request: HttpRequest) -> HttpResponse:
    permissions.member_or_403(request)
    return render(request, "members/data_rights.html")


def _rows(value, path: str = ""):
    """(path, value) for every leaf of the export: `account.email_addresses.1.email`."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _rows(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value, 1):
            yield from _rows(item, f"{path}.{index}")
    else:
        yield path, "" if value is None else value


def _as_csv(data: dict) -> str:
    """The same export as a two-column table a spreadsheet opens: what, and its value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["field", "value"])
    for path, value in _rows(data):
        text = str(value)
        # A value a spreadsheet would run as a formula is written as text.
        if text[:1] in ("=", "+", "-", "@"):
            text = "'" + text
        writer.writerow([path, text])
    return out.getvalue()


@login_required
@require_POST
@reauthentication_required
def data_export(request: HttpRequest) -> HttpResponse:
    """The file itself, as JSON or (format=csv) as a table. Never logged and never cached:
    it holds the member's status."""
    member = permissions.member_or_403(request)
    data = personal_data_export(member=member)
    audit.record("member.data_exported", actor=request.user, target=member)
    as_csv = request.POST.get("format") == "csv"
    if as_csv:
        response = HttpResponse(_as_csv(data), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
    # A neutral file name: it may sit in a shared downloads folder.
    filename = f"personal-data-{timezone.localdate():%Y-%m-%d}.{'csv' if as_csv else 'json'}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required
def leave(request: HttpRequest) -> HttpResponse:
    member = permissions.member_or_403(request)
    # Bound on every POST, even an empty one, so a missing confirmation shows an error.
    form = ErasureConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            member_erase(member_id=member.pk, requested_by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The service ended every stored session; this clears the browser's too.
            logout(request)
            return redirect("members:left")
    # A missing confirmation or a refusal is shown on the form, as every form here does.
    return render(request, "members/leave.html", {"form": form})


def left(request: HttpRequest) -> HttpResponse:
    return render(request, "members/left.html")


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required
def resign(request: HttpRequest) -> HttpResponse:
    """Leave the network without erasing one's data (members.services.membership_resign)."""
    member = permissions.member_or_403(request)
    form = ResignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_resign(member=member, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            return redirect("members:resigned")
    return render(request, "members/resign.html", {"form": form})


def resigned(request: HttpRequest) -> HttpResponse:
    return render(request, "members/resigned.html")
