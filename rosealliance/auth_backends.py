"""The project's authentication backends: Django's and allauth's, loading the request's
user with `members.selectors.user_for_request` (one query for the user, their member
record, their permissions and whether their role needs a second factor) instead of the
three to five queries the stock backends and the pages after them would make."""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends

from members.selectors import user_for_request


class _RequestUserMixin:
    def get_user(self, user_id):
        user = user_for_request(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_RequestUserMixin, django_backends.ModelBackend):
    pass


class AuthenticationBackend(_RequestUserMixin, allauth_backends.AuthenticationBackend):
    pass
