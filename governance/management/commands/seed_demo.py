"""Idempotent demo data for development: members of each kind in each country, a
coordinator, two Steering Committee members (seated through the governance services), and
an administrator, all with one known password. Refuses to run unless DEBUG is on: demo
accounts must never reach production.

It lives in `governance` because it seeds both apps, and governance may import members
(not the other way round)."""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from governance import selectors
from governance import services as governance_services
from governance.models import ActKind, Motion, Position, Seat
from members import eligibility
from members.models import (
    ApplicationDecision,
    Country,
    Member,
    MembershipApplication,
    MembershipState,
    Status,
    User,
)
from members.roles import COORDINATORS

# Demo data only: the command refuses to run unless DEBUG is on.
DEMO_PASSWORD = "demo-password-2026"  # nosec B105
DEMO_DOMAIN = "demo.invalid"
# Staff must log in with a second factor (rosealliance.mfa_enforcement); the demo staff
# share this TOTP secret: add it to any authenticator app to get their codes.
DEMO_TOTP_SECRET = "DEMODEMODEMODEMODEMODEMODEMODEMO"  # nosec B105


@dataclass(frozen=True)
class DemoPerson:
    key: str
    pseudonym: str
    country: str
    language: str
    status: str
    groups: tuple[str, ...] = ()
    seat: str | None = None
    superuser: bool = False


def demo_people() -> list[DemoPerson]:
    people = [
        DemoPerson("admin", "Admin", Country.SWEDEN, "en", Status.ALLY, superuser=True),
        DemoPerson(
            "coordinator", "Coordinator Kim", Country.SWEDEN, "en", Status.SEX_WORKER,
            groups=(COORDINATORS,),
        ),
        DemoPerson(
            "committee1", "Committee Robin", Country.NORWAY, "en", Status.SEX_WORKER,
            seat=Position.CHAIR,
        ),
        DemoPerson(
            "committee2", "Committee Sasha", Country.FINLAND, "en", Status.SEX_WORKER,
            seat=Position.MEMBER,
        ),
    ]  # fmt: skip
    languages = {Country.SWEDEN: "sv", Country.NORWAY: "nb", Country.FINLAND: "fi"}
    languages[Country.ICELAND] = "is"
    for country, language in languages.items():
        code = country.value.lower()
        people.append(
            DemoPerson(f"worker-{code}", f"Worker {country.label}", country, language,
                       Status.SEX_WORKER)
        )  # fmt: skip
        people.append(
            DemoPerson(f"ally-{code}", f"Ally {country.label}", country, language, Status.ALLY)
        )
    return people


class Command(BaseCommand):
    help = "Create or refresh the demo accounts (development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo runs only with DEBUG on: demo data is for development.")
        with transaction.atomic():
            rows = [self._ensure(person) for person in demo_people()]
            self._ensure_motions()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, pseudonym, roles in rows:
            self.stdout.write(f"  {email:32} {pseudonym:22} {roles}")
        self.stdout.write(
            f"Staff accounts also ask for a code: TOTP secret {DEMO_TOTP_SECRET} "
            "(add it to an authenticator app)."
        )

    def _ensure_motions(self) -> None:
        """One open motion to vote on and one with a published result, made once."""
        if Motion.objects.exists():
            return
        now = timezone.now()
        texts = {
            "title": {
                "en": "Join the Nordic campaign against the purchase ban",
                "sv": "Gå med i den nordiska kampanjen mot sexköpslagen",
                "nb": "Bli med i den nordiske kampanjen mot sexkjøpsloven",
                "fi": "Liity pohjoismaiseen kampanjaan seksin oston kieltoa vastaan",
                "is": "Tökum þátt í norrænu herferðinni gegn kaupabanninu",
            },
            "text": {
                "en": "The network joins the campaign and sends two spokespersons.",
                "sv": "Nätverket går med i kampanjen och skickar två talespersoner.",
                "nb": "Nettverket blir med i kampanjen og sender to talspersoner.",
                "fi": "Verkosto liittyy kampanjaan ja lähettää kaksi tiedottajaa.",
                "is": "Netið tekur þátt í herferðinni og sendir tvo talsmenn.",
            },
        }
        fields = {
            f"{name}_{code}": value
            for name, by_language in texts.items()
            for code, value in by_language.items()
        }
        # Two committee members: one proposes each act, the other confirms it.
        proposer, confirmer = selectors.committee_members().order_by("pk")[:2]

        def agreed(kind: str, motion: Motion) -> None:
            act = governance_services.act_propose(
                kind=kind, motion_id=motion.pk, by=proposer, reason="Demo"
            )
            governance_services.act_confirm(act_id=act.pk, by=confirmer)

        open_motion = Motion.objects.create(
            opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=7), **fields
        )
        agreed(ActKind.MOTION_OPEN, open_motion)
        past = Motion.objects.create(
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(hours=1),
            ballot_kind="roll_call",
            **{key: f"{value} (2025)" for key, value in fields.items()},
        )
        agreed(ActKind.MOTION_OPEN, past)
        voters = Member.objects.filter(eligibility.eligible_q()).order_by("pk")
        for voter, choice in zip(voters, ["yes", "yes", "no", "abstain", "yes"], strict=False):
            governance_services.ballot_cast(motion_id=past.pk, voter=voter, choice=choice)
        agreed(ActKind.MOTION_CLOSE, past)
        agreed(ActKind.MOTION_PUBLISH, past)

    def _ensure(self, person: DemoPerson) -> tuple[str, str, str]:
        email = f"{person.key}@{DEMO_DOMAIN}"
        user, created = User.objects.get_or_create(email=email)
        if created:
            user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.is_staff = bool(person.superuser or person.groups or person.seat)
        user.is_superuser = person.superuser
        user.save()
        if not person.seat:
            user.groups.set(Group.objects.filter(name__in=person.groups))
        if user.is_staff and not Authenticator.objects.filter(user=user, type="totp").exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        member, member_created = Member.objects.get_or_create(
            user=user,
            defaults={
                "pseudonym": person.pseudonym,
                "country": person.country,
                "preferred_language": person.language,
                "status": person.status,
                "state": MembershipState.ACTIVE,
                "approved_at": timezone.now(),
            },
        )
        if member_created:
            MembershipApplication.objects.create(
                member=member, decision=ApplicationDecision.APPROVED, decided_at=timezone.now()
            )
        if person.seat and not Seat.objects.filter(member=member, ended_on__isnull=True).exists():
            today = timezone.localdate()
            governance_services.seat_assign(
                member_id=member.pk,
                position=person.seat,
                term_start=today.replace(month=1, day=1),
                term_end=today.replace(year=today.year + 1, month=12, day=31),
                by=None,
            )
        if person.superuser:
            roles = "administrator"
        elif person.seat:
            roles = "Steering Committee"
        else:
            roles = ", ".join(person.groups) or "member"
        kind = member.get_status_display()
        return email, member.pseudonym, f"{roles} ({kind})"
