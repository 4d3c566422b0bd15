"""Typed request parameters shared by the staff pages."""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter, QueryParameter

# PostgreSQL's integer ids end at 2**31 - 1 (SQLite's at 2**63 - 1): a larger
# number must be a 400 with a message, not an overflow in the driver and a 500.
ROW_ID_MAX = 2_147_483_647

RowId = Annotated[int, PathParameter(ge=1, le=ROW_ID_MAX)]
OptionalRowIdQuery = Annotated[int | None, QueryParameter(ge=1, le=ROW_ID_MAX)]
