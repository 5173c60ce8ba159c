"""Database guards: named triggers that no database client can switch off.

django-pgtrigger wraps every trigger it installs in a check of the session setting
`pgtrigger.ignore`, which any client may set (`SET LOCAL pgtrigger.ignore = '{...}'`), so a
pgtrigger trigger is a convenience, not a guard. `Guard` is a pgtrigger trigger installed
from a template without that check: its body always runs, for every client including the
table's owner, and nothing in it reads a setting a session can set. Only the table's owner
(the migrations' role, never the application's) can drop or disable it.

Every guard raises an exception whose message starts with its own name, so tests and the
services recognise it (`guard_name_of(error)`).
"""

import re

import pgtrigger
from pgtrigger import compiler


class GuardTriggerSql(compiler.UpsertTriggerSql):
    """pgtrigger's installation SQL, minus the `pgtrigger.ignore` escape hatch."""

    def get_template(self) -> str:
        return """
            CREATE OR REPLACE FUNCTION {pgid}()
            RETURNS TRIGGER AS $$
                {declare}
                BEGIN
                    {func}
                END;
            $$ LANGUAGE plpgsql;

            DROP TRIGGER IF EXISTS {pgid} ON {table};
            CREATE {constraint} TRIGGER {pgid}
                {when} {operation} ON {table}
                {timing}
                {referencing}
                FOR EACH {level} {condition}
                EXECUTE PROCEDURE {execute};

            COMMENT ON TRIGGER {pgid} ON {table} IS '{hash}';
        """


class Guard(pgtrigger.Trigger):
    """A pgtrigger trigger that cannot be ignored (see the module docstring)."""

    def compile(self, model) -> compiler.Trigger:
        compiled = super().compile(model)
        kwargs = dict(compiled.sql.kwargs)
        kwargs.pop("ignore_func_name", None)
        return compiler.Trigger(name=self.name, sql=GuardTriggerSql(**kwargs))


def refuse(name: str, message: str, *, errcode: str = "check_violation") -> str:
    """The PL/pgSQL that raises guard `name`'s refusal (message without quotes)."""
    text = f"{name}: {message}".replace("'", "''")
    return f"RAISE EXCEPTION '{text}' USING ERRCODE = '{errcode}';"


_GUARD_NAME = re.compile(r"\b([a-z][a-z0-9_]+): ")


def guard_name_of(error: BaseException) -> str | None:
    """The name of the guard whose refusal `error` carries, or None."""
    match = _GUARD_NAME.search(str(error))
    return match.group(1) if match else None


def append_only(
    name: str, message: str = "history cannot be changed", *, deletable_when: str | None = None
) -> Guard:
    """A guard refusing UPDATE, and DELETE unless `deletable_when` (an SQL condition on
    `OLD`) holds: rows that are final once written (history, a roll, who voted)."""
    allow = (
        f"IF TG_OP = 'DELETE' AND ({deletable_when}) THEN RETURN OLD; END IF;"
        if deletable_when
        else ""
    )
    return Guard(
        name=name,
        when=pgtrigger.Before,
        operation=pgtrigger.Update | pgtrigger.Delete,
        func=allow + refuse(name, message),
    )
