"""The eligibility rule is stated once (members/eligibility.py) and every form of it is
generated from there: these tests look for it spelled anywhere else, in the Python and
in the SQL installed in the database, and show that changing the rule changes the
guards' SQL (so `makemigrations` writes the migration that reinstalls them)."""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from governance import services
from members import eligibility
from members.models import MembershipState, Status

ROOT = Path(__file__).resolve().parents[2]
APPS = ("audit", "core", "governance", "members", "rosealliance", "elections", "notices")
RULE_MODULE = ROOT / "members" / "eligibility.py"
# The rule spelled by hand: a literal of its values in SQL, or a comparison with them.
SPELLED = re.compile(
    r"'sex_worker'|\"sex_worker\"|[=!]=\s*Status\.SEX_WORKER|status\s*=\s*Status\.SEX_WORKER\b"
)


def python_files():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path == RULE_MODULE:
                continue
            if path.name == "choices.py":  # where the values are defined
                continue
            yield path


def test_no_python_module_spells_the_rule():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in python_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if SPELLED.search(line)
    ]
    assert not found, "use members.eligibility instead:\n" + "\n".join(found)


@pytest.mark.django_db
def test_the_sql_in_the_database_embeds_the_rule_as_rendered():
    """Every trigger function and SQL function that mentions the rule's values holds the
    rule exactly as the rule's module renders it (a stale hand-typed copy fails here)."""
    rendered = (eligibility.sql_condition("m"), eligibility.sql_condition("NEW"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n"
            " ON n.oid = p.pronamespace WHERE n.nspname = 'public'"
            " AND p.prosrc LIKE %s",
            [f"%'{Status.SEX_WORKER.value}'%"],
        )
        functions = cursor.fetchall()
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger"
            " WHERE NOT tgisinternal AND pg_get_triggerdef(oid) LIKE %s",
            [f"%'{Status.SEX_WORKER.value}'%"],
        )
        conditions = cursor.fetchall()
    assert functions, "no guard embeds the rule?"
    for name, source in functions:
        assert any(r in source for r in rendered), name
        assert source.count(f"'{Status.SEX_WORKER.value}'") == sum(
            source.count(r) for r in rendered
        ), f"{name} spells the rule outside its rendered condition"
    for name, definition in conditions:
        # pg_get_triggerdef normalises the WHEN clause; it holds the rule's values in the
        # rule's order, compared the way sql_negation renders them.
        assert f"'{MembershipState.ACTIVE.value}'" in definition, name


def test_a_new_condition_in_the_rule_changes_the_guards():
    """State the rule with one more condition, in a fresh process, before the models load:
    the migration autodetector then finds the guards changed."""
    script = (
        "import os, sys, django\n"
        "from members import eligibility\n"
        "eligibility.RULE = eligibility.RULE + (('country', 'se', 'not_in_sweden'),)\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "try:\n"
        "    call_command('makemigrations', '--check', '--dry-run', verbosity=1)\n"
        "except SystemExit as exit:\n"
        "    sys.exit(exit.code)\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "rosealliance.test_settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    for guard in (
        "seat_holder_must_be_active_sex_worker",
        "voter_must_be_eligible",
        "member_with_roles_must_stay_active_sex_worker",
    ):
        assert guard in result.stdout, result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize("state", [MembershipState.ACTIVE, MembershipState.SUSPENDED])
@pytest.mark.parametrize("status", [Status.SEX_WORKER, Status.ALLY])
def test_the_python_orm_and_sql_forms_agree(make_member, state, status):
    member = make_member(state=state, status=status)
    in_python = eligibility.is_eligible(member)
    in_orm = type(member).objects.filter(eligibility.eligible_q(), pk=member.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {eligibility.sql_condition('m')} FROM members_member m"  # noqa: S608
            " WHERE m.id = %s",
            [member.pk],
        )
        (in_sql,) = cursor.fetchone()
    assert (
        in_python
        == in_orm
        == in_sql
        == (state == MembershipState.ACTIVE and status == Status.SEX_WORKER)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "status", "code"),
    [
        (MembershipState.SUSPENDED, Status.SEX_WORKER, eligibility.MEMBERSHIP_NOT_ACTIVE),
        (MembershipState.ACTIVE, Status.ALLY, eligibility.NOT_SEX_WORKER),
    ],
)
def test_a_guards_refusal_reaches_the_service_as_the_rules_reason(
    make_member, monkeypatch, state, status, code
):
    """The service's own check skipped (as in a race it cannot see): the database guard
    refuses, and the service reports the rule's reason for this member."""
    member = make_member(state=state, status=status)
    monkeypatch.setattr(eligibility, "ensure_eligible", lambda member: None)
    with pytest.raises(ValidationError) as refused:
        services.seat_assign(
            member_id=member.pk,
            position="member",
            term_start=datetime.date(2026, 1, 1),
            term_end=datetime.date(2027, 12, 31),
            by=None,
        )
    assert refused.value.code == code
