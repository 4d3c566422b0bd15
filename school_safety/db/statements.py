"""One-row INSERT and UPDATE statements for the hot path, built once per shape.

`Report(...)` visits every column of the table, Piccolo's ForeignKey
attribute access is slow, and every Piccolo query runs each of its values
through a round of conversions and checks. For the report a pupil is waiting
on, that was a fifth of the whole request. Here the SQL text is made once per
table and set of columns, named as strings, and a call only supplies the
values, which are plain (text, numbers, times, None) and go to the driver as
they are.

An INSERT writes only the given columns; the others take their defaults from
the schema, which Piccolo's migrations wrote from the very same column
definitions. A column whose default is computed at insert time (a timestamp)
must be given: the database's own version of it would not be the same value
in the same format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from piccolo.query.methods.raw import Raw
from piccolo.querystring import QueryString
from piccolo.table import Table

# A default the schema holds exactly as Piccolo would have written it.
_CONSTANT_DEFAULTS = (str, int, float, bool, type(None))
_PLACEHOLDER = "{}"


@dataclass(frozen=True, slots=True)
class Statement:
    """SQL with `{}` for each value, and the values; it returns no rows.

    A value that is itself a Statement goes into the text as SQL (a sub-select
    for a key, say). Run through `write_grouped`, where a run of the same
    statement goes to the driver as one call, or as a Piccolo query by
    `as_query()` inside a transaction.
    """

    table: type[Table]
    template: str
    values: tuple[Any, ...]

    def compile(self, engine_type: str) -> tuple[str, list[Any]]:
        """The engine's SQL text (`?` or `$n` placeholders) and its values in order."""
        values: list[Any] = []
        if any(isinstance(value, Statement) for value in self.values):
            return self._compile(engine_type, values), values
        # Without a sub-statement, the text depends on the template alone.
        key = (engine_type, self.template)
        text = _plain_texts.get(key)
        if text is None:
            text = self._compile(engine_type, values)
            if len(_plain_texts) < _PLAIN_TEXTS_LIMIT:
                _plain_texts[key] = text
            return text, values
        return text, list(self.values)

    def _compile(self, engine_type: str, values: list[Any]) -> str:
        parts = self.template.split(_PLACEHOLDER)
        text = [parts[0]]
        for value, part in zip(self.values, parts[1:], strict=True):
            if isinstance(value, Statement):
                text.append(value._compile(engine_type, values))
            else:
                values.append(value)
                text.append("?" if engine_type == "sqlite" else f"${len(values)}")
            text.append(part)
        return "".join(text)

    def as_query(self) -> Raw:
        return self.table.raw(self.template, *(_as_querystring(v) for v in self.values))


def _as_querystring(value: Any) -> Any:
    if isinstance(value, Statement):
        return QueryString(value.template, *(_as_querystring(v) for v in value.values))
    return value


# Compiled text per engine and template, for statements whose values are all plain.
_plain_texts: dict[tuple[str, str], str] = {}
_PLAIN_TEXTS_LIMIT = 1000
_inserts: dict[tuple[type[Table], tuple[str, ...]], str] = {}
_updates: dict[tuple[type[Table], tuple[str, ...], str], str] = {}


def _db_names(table: type[Table], names: tuple[str, ...]) -> list[str]:
    columns = {column._meta.name: column for column in table._meta.columns}
    unknown = [name for name in names if name not in columns]
    if unknown:
        raise ValueError(f"{table.__name__} has no column {', '.join(unknown)}")
    return [columns[name]._meta.db_column_name for name in names]


def _insert(table: type[Table], names: tuple[str, ...]) -> str:
    primary_key = table._meta.primary_key._meta.name
    for column in table._meta.columns:
        name = column._meta.name
        if name in names or name == primary_key:
            continue
        if not isinstance(column.default, _CONSTANT_DEFAULTS):
            raise ValueError(f"{table.__name__}.{name} has a computed default: give it a value")
    columns = ", ".join(f'"{name}"' for name in _db_names(table, names))
    placeholders = ", ".join(_PLACEHOLDER for _ in names)
    # Names come from the table's definition, values only ever as parameters.
    return f'INSERT INTO "{table._meta.tablename}" ({columns}) VALUES ({placeholders})'  # noqa: S608


def insert_statement(table: type[Table], values: Mapping[str, Any]) -> Statement:
    """The INSERT of one row of `table`, columns named (find it again by a unique column)."""
    names = tuple(values)
    key = (table, names)
    template = _inserts.get(key)
    if template is None:
        template = _inserts[key] = _insert(table, names)
    return Statement(table, template, tuple(values.values()))


def update_statement(
    table: type[Table], values: Mapping[str, Any], where: str, *where_values: Any
) -> Statement:
    """The UPDATE of `table`'s rows matching `where` (SQL with `{}` for `where_values`)."""
    names = tuple(values)
    key = (table, names, where)
    template = _updates.get(key)
    if template is None:
        assignments = ", ".join(f'"{name}" = {_PLACEHOLDER}' for name in _db_names(table, names))
        # Names come from the table's definition, values only ever as parameters.
        template = _updates[key] = (
            f'UPDATE "{table._meta.tablename}" SET {assignments} WHERE {where}'  # noqa: S608
        )
    return Statement(table, template, (*values.values(), *where_values))
