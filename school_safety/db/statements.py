"""One-row INSERT and UPDATE statements for the hot path, built once per shape.

`Report(...)` visits every column of the table, and Piccolo's ForeignKey
attribute access is slow: for the report a pupil is waiting on, building the
object and its INSERT took a sixth of the whole request, and Piccolo's
UPDATE another twentieth. Here the SQL text is made once per table and set
of columns, and each call only supplies the values.

An INSERT writes only the given columns; the others take their defaults from
the schema, which Piccolo's migrations wrote from the very same column
definitions. A column whose default is computed at insert time (a timestamp)
must be given: the database's own version of it would not be the same value
in the same format.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from piccolo.columns import Column
from piccolo.query.methods.raw import Raw
from piccolo.querystring import QueryString
from piccolo.table import Table

# A default the schema holds exactly as Piccolo would have written it.
_CONSTANT_DEFAULTS = (str, int, float, bool, type(None))

_inserts: dict[tuple[type[Table], tuple[Column, ...]], str] = {}
_updates: dict[tuple[type[Table], tuple[Column, ...], str], str] = {}


def _insert(table: type[Table], columns: tuple[Column, ...]) -> str:
    given = {column._meta.name for column in columns}
    primary_key = table._meta.primary_key._meta.name
    for column in table._meta.columns:
        name = column._meta.name
        if name in given or name == primary_key:
            continue
        if not isinstance(column.default, _CONSTANT_DEFAULTS):
            raise ValueError(f"{table.__name__}.{name} has a computed default: give it a value")
    names = ", ".join(f'"{column._meta.db_column_name}"' for column in columns)
    # Piccolo turns each {} into the engine's own placeholder (? or $n).
    placeholders = ", ".join("{}" for _ in columns)
    # Names come from the table's definition, values only ever as parameters.
    return (
        f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ({placeholders}) '  # noqa: S608
        f'RETURNING "{table._meta.primary_key._meta.db_column_name}" AS id'
    )


def insert_query(table: type[Table], values: Mapping[Column, Any]) -> Raw:
    """The INSERT of one row of `table`; its rows are `[{"id": <primary key>}]`.

    A value may be a QueryString, which goes into the statement as SQL (a
    sub-select for a key, say); every other value is a parameter.
    """
    columns = tuple(values)
    key = (table, columns)
    statement = _inserts.get(key)
    if statement is None:
        statement = _inserts[key] = _insert(table, columns)
    return table.raw(statement, *values.values())


def update_query(table: type[Table], values: Mapping[Column, Any], where: QueryString) -> Raw:
    """The UPDATE of `table`'s rows that match `where` (SQL with {} for its values)."""
    columns = tuple(values)
    key = (table, columns, where.template)
    statement = _updates.get(key)
    if statement is None:
        assignments = ", ".join(f'"{column._meta.db_column_name}" = {{}}' for column in columns)
        # Names come from the table's definition, values only ever as parameters.
        statement = _updates[key] = (
            f'UPDATE "{table._meta.tablename}" SET {assignments} WHERE {where.template}'  # noqa: S608
        )
    return table.raw(statement, *values.values(), *where.args)
