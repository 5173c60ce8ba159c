"""The privacy registry: every field of every model this project stores, with how
sensitive it is.

Each app declares its own models in a `privacy.py` module (found automatically, like
`admin.py`) by calling `classify`; third-party models the project relies on are
classified at the bottom of this file. `tests/test_privacy_registry.py` fails when a
concrete field of a model in `CLASSIFIED_APPS` has no entry, and prints the lines to add.

The levels, from least to most protected:

- PUBLIC_TO_MEMBERS: any logged-in member may see it (a pseudonym, a motion's title).
- PRIVATE_TO_MEMBER: the member it is about, and the staff who need it for their task
  (an e-mail address, a membership state, a login time).
- SENSITIVE: special-category data and whatever reveals it (status, a status change, "who
  voted", free text in which a member may describe themselves). Only the member and
  holders of `members.review_status`; never in logs, e-mails, URLs or page titles.
- SECRET: credentials and keys. Nobody reads them through the application, not even
  administrators (password hashes, second-factor secrets, session keys).
"""

from enum import StrEnum

from django.apps import apps
from django.db import models
from django.utils.module_loading import autodiscover_modules


class Level(StrEnum):
    PUBLIC_TO_MEMBERS = "public_to_members"
    PRIVATE_TO_MEMBER = "private_to_member"
    SENSITIVE = "sensitive"
    # A classification level, not a password (bandit reads it as one).
    SECRET = "secret"  # nosec B105


# Apps whose every model field must be classified: the project's own and allauth's.
CLASSIFIED_APPS = ("members", "governance", "elections", "audit", "account", "mfa", "usersessions")

_registry: dict[str, dict[str, Level]] = {}
_discovered = False


def classify(model_label: str, fields: dict[str, Level]) -> None:
    """Classify the fields of one model, e.g.
    `classify("governance.seat", {"id": Level.PUBLIC_TO_MEMBERS, ...})`.
    `model_label` is `app_label.modelname` in lower case (`Model._meta.label_lower`)."""
    entry = _registry.setdefault(model_label.lower(), {})
    for name, level in fields.items():
        entry[name] = Level(level)


def registry() -> dict[str, dict[str, Level]]:
    """Every classification, after importing each installed app's `privacy` module."""
    global _discovered
    if not _discovered:
        autodiscover_modules("privacy")
        _discovered = True
    return {label: dict(fields) for label, fields in _registry.items()}


def _is_installed_label(app_label: str) -> bool:
    return any(config.label == app_label for config in apps.get_app_configs())


def classified_models() -> list[type[models.Model]]:
    """The models whose fields must all be classified (auto-created join tables are
    covered by their many-to-many field; a proxy by its concrete model, whose table it
    is)."""
    return [
        model
        for app_label in CLASSIFIED_APPS
        if _is_installed_label(app_label)
        for model in apps.get_app_config(app_label).get_models()
        if not model._meta.auto_created and not model._meta.proxy
    ]


def model_field_names(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields] + [
        f.name for f in model._meta.local_many_to_many
    ]


def unclassified_fields() -> dict[str, list[str]]:
    """{model label: [field names with no level]} for every classified model."""
    known = registry()
    missing: dict[str, list[str]] = {}
    for model in classified_models():
        label = model._meta.label_lower
        names = [n for n in model_field_names(model) if n not in known.get(label, {})]
        if names:
            missing[label] = names
    return missing


def stale_entries() -> dict[str, list[str]]:
    """{model label: [names]} classified but no longer fields (renamed or removed)."""
    current = {m._meta.label_lower: set(model_field_names(m)) for m in classified_models()}
    stale: dict[str, list[str]] = {}
    for label, fields in registry().items():
        names = sorted(set(fields) - current.get(label, set()))
        if names:
            stale[label] = names
    return stale


P, M, S, X = (
    Level.PUBLIC_TO_MEMBERS,
    Level.PRIVATE_TO_MEMBER,
    Level.SENSITIVE,
    Level.SECRET,
)

# allauth's models: addresses, confirmations, second factors, sessions.
classify("account.emailaddress", {"id": M, "user": M, "email": M, "verified": M, "primary": M})
classify(
    "account.emailconfirmation",
    {"id": M, "email_address": M, "created": M, "sent": M, "key": X},
)
classify(
    "mfa.authenticator",
    {"id": M, "user": M, "type": M, "data": X, "created_at": M, "last_used_at": M},
)
classify(
    "usersessions.usersession",
    {
        "id": M,
        "user": M,
        "created_at": M,
        "ip": M,
        "last_seen_at": M,
        "session_key": X,
        "user_agent": M,
        "data": M,
    },
)
