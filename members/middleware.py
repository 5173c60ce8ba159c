from django.conf import settings

from .languages import supported_language


class PreferredLanguageMiddleware:
    """Stores the language chosen for a request (after login, or a profile change) in the
    language cookie, so that LocaleMiddleware uses it from the next request on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = supported_language(getattr(request, "preferred_language", None))
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class PrivatePagesNotStoredMiddleware:
    """Pages shown to a logged-in person are never stored by the browser (`no-store`):
    after a quick exit or a logout, Back must ask the server again, which shows the login
    page instead of the member's last page (and a page kept out of the browser's
    back-forward cache cannot be restored from memory either)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        already = "no-store" in response.get("Cache-Control", "")
        if user is not None and user.is_authenticated and not already:
            response["Cache-Control"] = "no-store, private"
        return response
