"""A one-row INSERT for the hot path, without building a Piccolo Table object.

`Report(...)` visits every column of the table, and Piccolo's ForeignKey
attribute access is slow: for the report a pupil is waiting on, building the
object and its INSERT took a sixth of the whole request. Here only the given
columns are written; the others take their defaults from the schema, which
Piccolo's migrations wrote from the very same column definitions. A column
whose default is computed at insert time (a timestamp) must be given: the
database's own version of it would not be the same value in the same format.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from piccolo.columns import Column
from piccolo.query.methods.raw import Raw
from piccolo.table import Table

# A default the schema holds exactly as Piccolo would have written it.
_CONSTANT_DEFAULTS = (str, int, float, bool, type(None))

_statements: dict[tuple[type[Table], tuple[Column, ...]], str] = {}


def _statement(table: type[Table], columns: tuple[Column, ...]) -> str:
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
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = _statement(table, columns)
    return table.raw(statement, *values.values())
