"""Regions and schools: where a report belongs, and whose staff see it."""

from piccolo.columns import Boolean, ForeignKey, Serial, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class Region(Table):
    """One of the 17 regions or 3 cities of republican significance."""

    id: Serial  # the implicit primary key, declared for type checkers
    code = Varchar(length=8, unique=True)
    name_kk = Varchar(length=200)
    name_ru = Varchar(length=200)
    name_en = Varchar(length=200)


class School(Table):
    id: Serial  # the implicit primary key, declared for type checkers
    code = Varchar(length=16, unique=True)
    # A region with schools cannot be deleted: reports hang off schools.
    region = ForeignKey(references=Region, on_delete=OnDelete.restrict, null=False, index=True)
    name_kk = Varchar(length=300)
    name_ru = Varchar(length=300)
    name_en = Varchar(length=300)
    town_kk = Varchar(length=150)
    town_ru = Varchar(length=150)
    town_en = Varchar(length=150)
    # Case-folded names, towns and code in every language. SQLite's LIKE folds
    # only ASCII, so Cyrillic search needs a folded copy on both engines.
    search_text = Text(default="")
    active = Boolean(default=True)
