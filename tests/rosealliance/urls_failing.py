"""The project's URLs plus a view that fails, for tests of error pages and error logs."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from members.models import Member
from rosealliance.urls import urlpatterns as project_urlpatterns


def crash(request):
    # An exception whose message carries everything that must never reach a log.
    member = Member.objects.select_related("user").get(user=request.user)
    raise RuntimeError(f"{member.user.email} {member.pseudonym} {member.status}")


def forbidden(request):
    raise PermissionDenied


def bad(request):
    raise SuspiciousOperation("bad input")


urlpatterns = [
    path("test-crash/", crash),
    path("test-forbidden/", forbidden),
    path("test-bad/", bad),
    *project_urlpatterns,
]
