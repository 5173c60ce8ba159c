"""Every database guard is named in one place (core/guard_registry.py) and raises with
its own name: a trigger the registry does not know, a registered guard that is not
installed, or a refusal that does not start with its guard's name fails here."""

import re

import pytest
from django.db import connection

from core.guard_registry import GUARDS, RULE_GUARDS, UNGUARDED_TRIGGERS
from members import eligibility

pytestmark = pytest.mark.django_db

RAISE = re.compile(r"RAISE\s+EXCEPTION\s+'([^']*)", re.I)


def installed_triggers() -> dict[str, str]:
    """Trigger name (pgtrigger's prefix and suffix removed) -> its function's source."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname, p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
            " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE NOT t.tgisinternal AND n.nspname = 'public'"
        )
        rows = cursor.fetchall()
    triggers = {}
    for tgname, source in rows:
        name = re.sub(r"^pgtrigger_(.*)_[0-9a-f]{5}$", r"\1", tgname)
        triggers[name] = source
    return triggers


def test_every_installed_trigger_is_registered_and_every_registered_guard_installed():
    installed = installed_triggers()
    unknown = set(installed) - set(GUARDS) - set(UNGUARDED_TRIGGERS)
    assert not unknown, f"add these to core/guard_registry.py: {sorted(unknown)}"
    missing = set(GUARDS) - set(installed)
    assert not missing, f"registered but not installed: {sorted(missing)}"


def test_every_refusal_starts_with_its_guards_name():
    for name, source in installed_triggers().items():
        if name in UNGUARDED_TRIGGERS:
            continue
        messages = RAISE.findall(source)
        assert messages, f"{name} never refuses anything"
        for message in messages:
            assert message.startswith(f"{name}: "), (name, message)


def test_the_rules_guards_are_registered():
    assert set(RULE_GUARDS) <= set(GUARDS)
    installed = installed_triggers()
    for name in RULE_GUARDS:
        # Each embeds the rule as the rule's module renders it, not typed by hand.
        assert eligibility.sql_condition("m") in installed[name] or name.startswith(
            "member_with_roles"
        ), name
