"""What every page may show: the coordinators' contact address (settings)."""

from django.conf import settings


def coordinator_contact(request) -> dict:
    return {"coordinator_contact": settings.COORDINATOR_CONTACT_EMAIL}
