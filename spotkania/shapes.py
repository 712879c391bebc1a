"""Queries built by the ORM once per shape, then run with other values.

Django builds and compiles a QuerySet anew on every request: the `.filter()` calls clone
the query, `as_sql()` walks it again. For the activity list of an API request that was
most of its time (measured at a million activities on SQLite: 7.7 of 11.8 ms of the view,
where its five statements take 2.8 ms), and the same request asks the same questions with
other ids every time. A `Shape` keeps the SQL of such a question: it calls its builder
once with marker values in place of the ids, compiles the QuerySet the builder returns,
notes where each marker went among the statement's parameters, and afterwards runs the
statement with the real values, converting the columns as Django would (datetimes made
aware, decimals, booleans). The query is still written once, with the ORM, in the
selectors; only its building is kept.

What can vary between runs:
- `values`: integers (ids), lists of integers (an `IN`) or aware datetimes, passed as
  statement parameters (a datetime adapted to the database as Django adapts it). The
  builder must not branch on them: each must reach the SQL as a parameter. When a
  statement is first built, it is built again with that call's own values and must be
  the same statement with those values in the markers' places, or building fails
  (`ShapeError`): a builder that tests a value, a database that inlines one, or a lookup
  Django decides from the value alone (a negative marker on a positive integer field
  would empty the query) cannot pass silently.
- `fixed`: anything the builder may branch on or that Django writes into the SQL itself
  (a LIMIT, whether a customer is given, the language of joined names): a key of the
  kept statements, each combination compiled once.

The statements are kept per process and database alias (a small dict: a shape has a few
keys in practice, `MAX_KEPT` bounds it anyway). They depend on nothing but the code and
the database's vendor, so nothing has to forget them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

# A marker is an integer no row can have as an id (ids are positive), far from any
# constant a query might hold: value i of a builder is MARKER_BASE - i * LIST_SPAN, the
# j-th item of a list value that minus j.
MARKER_BASE = -(2**50)
DATETIME_MARKER_YEAR = 1001  # value i of a builder that is a datetime: 1 January of 1001 + i
MARKER_TYPES = (int, str, datetime)
LIST_SPAN = 100_000
MAX_KEPT = 512
_SERIALS = itertools.count()


class ShapeError(Exception):
    """The builder of a shape does not make one statement for every value: a value is
    not a parameter of it, or the statement changes with the values themselves."""


@dataclass
class _Compiled:
    sql: str | None  # None: the query has no rows whatever the values
    # Per statement parameter: (name of the value, index in a list value or None, whether
    # to adapt it as a datetime), or (None, the constant, False) for a parameter the
    # builder wrote itself.
    slots: list[tuple[str | None, object, bool]]
    names: list[str]  # of the columns, as QuerySet.values() names them
    fields: list  # the select expressions, for their converters
    sliced: bool = False  # the statement ends in a LIMIT of its own
    # Names the statement's converters kept on each connection (see _converters).
    serial: int = field(default_factory=lambda: next(_SERIALS))


class Shape:
    """A query built by `build(**fixed, **values)` once per database alias, `fixed` and
    lengths of list `values`, run with any `values` (see the module's docstring)."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._kept: dict[Hashable, _Compiled] = {}

    def _compiled(self, using: str, fixed: dict, values: dict) -> _Compiled:
        key = (using, tuple(sorted(fixed.items())), tuple(sorted(map(_kind, values.items()))))
        compiled = self._kept.get(key)
        if compiled is None:
            compiled = self._compile(using, fixed, values)
            if len(self._kept) >= MAX_KEPT:
                self._kept.clear()
            self._kept[key] = compiled
        return compiled

    def _compile(self, using: str, fixed: dict, values: dict) -> _Compiled:
        ops = connections[using].ops
        # marker (or its form in the statement) -> (name, index in a list, adapt to the
        # database as a datetime)
        markers: dict[object, tuple[str, int | None, bool]] = {}
        arguments: dict[str, object] = {}
        for i, (name, value) in enumerate(sorted(values.items())):
            base = MARKER_BASE - i * LIST_SPAN
            if isinstance(value, (list, tuple)):
                arguments[name] = [base - j for j in range(len(value))]
                markers.update({base - j: (name, j, False) for j in range(len(value))})
            elif isinstance(value, datetime):
                # A date no activity has; Django writes it in the statement as the
                # database takes it (SQLite: text in UTC), and so will each value.
                arguments[name] = marker = datetime(DATETIME_MARKER_YEAR + i, 1, 1, tzinfo=UTC)
                markers[marker] = (name, None, False)
                markers[ops.adapt_datetimefield_value(marker)] = (name, None, True)
            else:
                arguments[name] = base
                markers[base] = (name, None, False)
        queryset = self.build(**fixed, **arguments)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = _as_sql(compiler)
        # The same built with this call's own values must be the same statement with
        # these values in the markers' places: a builder that branches on a value, or a
        # lookup that Django decides from the value alone (an integer out of a column's
        # range empties the query or drops its condition), fails here, not silently.
        real_sql, real_params = _as_sql(self.build(**fixed, **values).query.get_compiler(using))
        if sql is None:
            if real_sql is not None:
                raise ShapeError(f"{self.build.__qualname__}: the markers emptied the query")
            return _Compiled(sql=None, slots=[], names=[], fields=[])
        slots: list[tuple[str | None, object, bool]] = []
        for param in params:
            marker = markers.get(param) if type(param) in MARKER_TYPES else None
            slots.append(marker if marker is not None else (None, param, False))
        passed = {slot[0] for slot in slots if slot[0] is not None}
        missing = sorted({name for name, _index, _adapt in markers.values()} - passed)
        if missing:
            raise ShapeError(
                f"{self.build.__qualname__}: {missing} not passed to the statement as parameters"
            )
        compiled = _Compiled(
            sql=sql,
            slots=slots,
            names=[
                *queryset.query.extra_select,
                *queryset.query.values_select,
                *queryset.query.annotation_select,
            ],
            fields=[column[0] for column in compiler.select[: compiler.col_count]],
            sliced=queryset.query.is_sliced,
        )
        if real_sql != sql or list(real_params) != _fill(compiled, values, ops):
            raise ShapeError(
                f"{self.build.__qualname__}: the statement depends on the values themselves"
            )
        return compiled

    def statement(
        self, using: str, *, fixed: dict | None = None, **values
    ) -> tuple[str | None, list, _Compiled]:
        """The SQL, its parameters for `values`, and what is kept of it."""
        # An IN drops repeated values (Django does): a list of two equal ids is one id.
        values = {
            name: list(dict.fromkeys(value)) if isinstance(value, (list, tuple)) else value
            for name, value in values.items()
        }
        compiled = self._compiled(using, fixed or {}, values)
        return compiled.sql, _fill(compiled, values, connections[using].ops), compiled

    def rows(self, using: str, *, fixed: dict | None = None, **values) -> list[list]:
        """The rows of the query for `values`, as lists of converted column values."""
        return self._run(using, fixed, values)[1]

    def dicts(self, using: str, *, fixed: dict | None = None, **values) -> list[dict]:
        """The rows as dicts by column name, as QuerySet.values() gives them."""
        compiled, rows = self._run(using, fixed, values)
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]

    def _run(self, using: str, fixed: dict | None, values: dict) -> tuple[_Compiled, list]:
        sql, params, compiled = self.statement(using, fixed=fixed, **values)
        if sql is None:
            return compiled, []
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [list(row) for row in cursor.fetchall()]
        converters = _converters(compiled, connection)
        for row in rows:
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
        return compiled, rows

    def count(self, using: str, limit: int, *, fixed: dict | None = None, **values) -> int:
        """The number of rows of the query, counted up to `limit`."""
        sql, params, compiled = self.statement(using, fixed=fixed, **values)
        if sql is None:
            return 0
        with connections[using].cursor() as cursor:
            if compiled.sliced:  # a LIMIT of its own: wrapped once more
                counted = f"SELECT * FROM ({sql}) shaped LIMIT {int(limit)}"
            else:  # (SQLite counts a UNION ALL wrapped once more 2.5 times slower)
                counted = f"{sql} LIMIT {int(limit)}"
            cursor.execute(f"SELECT COUNT(*) FROM ({counted}) counted", params)
            return cursor.fetchone()[0]


def _as_sql(compiler) -> tuple[str | None, tuple]:
    """The compiler's SQL and parameters; None when Django knows there are no rows
    (e.g. a LIMIT 0, an IN of no value)."""
    try:
        return compiler.as_sql()
    except EmptyResultSet:
        return None, ()


def _fill(compiled: _Compiled, values: dict, ops) -> list:
    """The statement's parameters for `values`."""
    params = []
    for name, index, adapt in compiled.slots:
        if name is None:
            params.append(index)  # a constant
            continue
        value = values[name] if index is None else values[name][index]
        params.append(ops.adapt_datetimefield_value(value) if adapt else value)
    return params


def _kind(item: tuple[str, object]) -> tuple[str, object]:
    """What of a value shapes its statement: a datetime, an integer, or a list of so
    many integers. Anything else is refused: a None would be run as an id (and match
    nothing) where the builder meant "no filter", which is `fixed`'s business."""
    name, value = item
    if isinstance(value, datetime) and value.tzinfo is not None:
        return name, "datetime"
    if type(value) is int:
        return name, "int"
    if isinstance(value, (list, tuple)) and all(type(v) is int for v in value):
        if len(value) >= LIST_SPAN:  # its markers would run into the next value's
            raise ValueError(f"{name}: {len(value)} ids, at most {LIST_SPAN - 1}")
        return name, len(value)
    raise TypeError(f"{name}={value!r}: a shape's values are ids, lists of ids or aware datetimes")


def _converters(compiled: _Compiled, connection) -> Sequence:
    """Django's converters of each column (as SQLCompiler.get_converters), worked out
    once per connection (backend functions are bound to its operations) and kept on it,
    so that they go with it."""
    kept_here = connection.__dict__.setdefault("_shape_converters", {})
    kept = kept_here.get(compiled.serial)
    if kept is None:
        kept = []
        for position, expression in enumerate(compiled.fields):
            functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(
                connection
            )
            if functions:
                kept.append((position, (functions, expression)))
        kept_here[compiled.serial] = kept
    return kept


@dataclass(frozen=True)
class Bound:
    """A shape with its values, to be run later: a count handed to a paginator
    (spotkania.paging.bounded_count)."""

    shape: Shape
    using: str
    arguments: dict

    def count(self, limit: int) -> int:
        return self.shape.count(self.using, limit, **self.arguments)
