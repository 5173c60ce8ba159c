"""A member's status and membership state: the values the eligibility rule
(members.eligibility) reads. Importable before Django's apps are loaded."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SEX_WORKER = "sex_worker", _("Sex worker")
    ALLY = "ally", _("Ally")


class MembershipState(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    LAPSED = "lapsed", _("Lapsed")
    RESIGNED = "resigned", _("Resigned")
    REJECTED = "rejected", _("Rejected")
    # A former member whose personal data has been erased (members.data_rights). The row
    # stays only because rolls, roll-call ballots and seats must keep pointing somewhere.
    ERASED = "erased", _("Erased")
