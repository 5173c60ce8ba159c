"""Querysets built and compiled once, run many times.

Building a queryset with subqueries, annotations and joins, and compiling it to SQL, costs
milliseconds of Python on every request, several times what Postgres needs to answer it.
A query that every request makes (the request's user, the list of motions) is written as a
function of its integer arguments; `Prepared` builds and compiles it once per process with
placeholder values, and then only runs the SQL with the real values and turns the rows into
model instances, exactly as Django's own iterable does (tests/core/test_prepared_queries.py
compares the two). The SQL is Django's own, with its `%s` placeholders; the values are
bound on the server.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.db.models.query import _get_from_db, get_related_populators

from .bound_queries import bound_cursor

# Placeholder values no real id takes, one per argument; found again in the compiled
# parameters to know where each argument goes.
_PLACEHOLDER_BASE = -7_340_000_000_000


class Prepared:
    """`Prepared(build, "user_id")`: `build(user_id=...)` returns a queryset of model
    instances; calling the Prepared with `user_id=5` returns that queryset's objects."""

    def __init__(self, build: Callable[..., QuerySet], *arguments: str):
        self._build = build
        self._arguments = arguments
        self._prepared: tuple | None = None
        self._materialize: tuple | None = None

    def _prepare(self) -> tuple:
        placeholders = {
            name: _PLACEHOLDER_BASE - index for index, name in enumerate(self._arguments)
        }
        queryset = self._build(**placeholders)
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        by_value = {value: name for name, value in placeholders.items()}
        slots = [by_value.get(param) if isinstance(param, int) else None for param in params]
        missing = set(self._arguments) - set(slots)
        if missing:
            raise ValueError(f"arguments {missing} do not reach the SQL")
        self._prepared = (queryset, compiler, sql, tuple(params), slots)
        return self._prepared

    def __call__(self, **values: Any) -> list[Model]:
        queryset, compiler, sql, params, slots = self._prepared or self._prepare()
        bound = [values[slot] if slot else param for param, slot in zip(params, slots, strict=True)]
        # Values bound on the server: Postgres can keep the plan of a statement run again
        # and again on one connection (psycopg prepares it after a few runs).
        with bound_cursor(queryset.db) as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchall()
        return self._objects(rows)

    def _objects(self, rows: list) -> list[Model]:
        """Rows to model instances: django.db.models.query.ModelIterable's way, with what
        does not change from call to call worked out once."""
        if self._materialize is None:
            self._materialize = self._materializer()
        from_db, db, init_list, start, end, populators, annotations, compiler, converters = (
            self._materialize
        )
        if converters:
            rows = compiler.apply_converters(rows, converters)
        objects = []
        for row in rows:
            obj = from_db(db, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def _materializer(self) -> tuple:
        queryset, compiler = self._prepared[0], self._prepared[1]
        select, klass_info = compiler.select, compiler.klass_info
        model_fields = klass_info["select_fields"]
        start, end = model_fields[0], model_fields[-1] + 1
        fetch_mode = queryset._fetch_mode
        converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
        return (
            _get_from_db(klass_info["model"], fetch_mode),
            queryset.db,
            [column[0].target.attname for column in select[start:end]],
            start,
            end,
            get_related_populators(klass_info, select, queryset.db, fetch_mode),
            tuple(compiler.annotation_col_map.items()),
            compiler,
            converters,
        )
