"""Idempotent demo data for development: members of each kind in each country, a
coordinator, Steering Committee members and an administrator, all with one known
password. Refuses to run unless DEBUG is on: demo accounts must never reach production."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from members.models import Country, Member, MembershipApplication, MembershipState, Status, User
from members.roles import COORDINATORS, STEERING_COMMITTEE

DEMO_PASSWORD = "demo-password-2026"
DEMO_DOMAIN = "demo.invalid"
# Staff must log in with a second factor (rosealliance.mfa_enforcement); the demo staff
# share this TOTP secret: add it to any authenticator app to get their codes.
DEMO_TOTP_SECRET = "DEMODEMODEMODEMODEMODEMODEMODEMO"

COUNTRY_LANGUAGE = {
    Country.SWEDEN: "sv",
    Country.NORWAY: "nb",
    Country.FINLAND: "fi",
    Country.ICELAND: "is",
}


def demo_people() -> list[dict]:
    people = [
        {
            "key": "admin",
            "pseudonym": "Admin",
            "country": Country.SWEDEN,
            "language": "en",
            "status": Status.ALLY,
            "superuser": True,
            "groups": [],
        },
        {
            "key": "coordinator",
            "pseudonym": "Coordinator Kim",
            "country": Country.SWEDEN,
            "language": "en",
            "status": Status.SEX_WORKER,
            "groups": [COORDINATORS],
        },
        {
            "key": "committee1",
            "pseudonym": "Committee Robin",
            "country": Country.NORWAY,
            "language": "en",
            "status": Status.SEX_WORKER,
            "groups": [STEERING_COMMITTEE],
        },
        {
            "key": "committee2",
            "pseudonym": "Committee Sasha",
            "country": Country.FINLAND,
            "language": "en",
            "status": Status.SEX_WORKER,
            "groups": [STEERING_COMMITTEE],
        },
    ]
    for country, language in COUNTRY_LANGUAGE.items():
        code = country.value.lower()
        people.append(
            {
                "key": f"worker-{code}",
                "pseudonym": f"Worker {country.label}",
                "country": country,
                "language": language,
                "status": Status.SEX_WORKER,
                "groups": [],
            }
        )
        people.append(
            {
                "key": f"ally-{code}",
                "pseudonym": f"Ally {country.label}",
                "country": country,
                "language": language,
                "status": Status.ALLY,
                "groups": [],
            }
        )
    return people


class Command(BaseCommand):
    help = "Create or refresh the demo accounts (development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo runs only with DEBUG on: demo data is for development.")
        rows = []
        with transaction.atomic():
            for person in demo_people():
                email = f"{person['key']}@{DEMO_DOMAIN}"
                rows.append(self._ensure(person, email))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, pseudonym, roles in rows:
            self.stdout.write(f"  {email:32} {pseudonym:22} {roles}")
        self.stdout.write(
            f"Staff accounts also ask for a code: TOTP secret {DEMO_TOTP_SECRET} "
            "(add it to an authenticator app)."
        )

    def _ensure(self, person: dict, email: str) -> tuple[str, str, str]:
        user, created = User.objects.get_or_create(email=email)
        if created:
            user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.is_staff = bool(person.get("superuser") or person["groups"])
        user.is_superuser = bool(person.get("superuser"))
        user.save()
        user.groups.set(Group.objects.filter(name__in=person["groups"]))
        if user.is_staff and not Authenticator.objects.filter(user=user, type="totp").exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        member, member_created = Member.objects.get_or_create(
            user=user,
            defaults={
                "pseudonym": person["pseudonym"],
                "country": person["country"],
                "preferred_language": person["language"],
                "status": person["status"],
                "state": MembershipState.ACTIVE,
                "approved_at": timezone.now(),
            },
        )
        if member_created:
            MembershipApplication.objects.create(
                member=member, decision="approved", decided_at=timezone.now()
            )
        roles = ", ".join(person["groups"]) or ("administrator" if user.is_superuser else "member")
        kind = "sex worker" if member.status == Status.SEX_WORKER else "ally"
        return email, member.pseudonym, f"{roles} ({kind})"
