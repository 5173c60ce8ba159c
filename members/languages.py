"""Which of the site's languages a stored or submitted code stands for."""

from django.conf import settings


def supported_language(code: str | None) -> str | None:
    """The site language `code` names exactly (one of settings.LANGUAGES), or None for an
    empty, unknown or malformed code. Stored preferences are exact codes, so no regional
    variant guessing is done here (LocaleMiddleware does that for browsers)."""
    if not code:
        return None
    code = code.strip().lower()
    return code if code in dict(settings.LANGUAGES) else None
