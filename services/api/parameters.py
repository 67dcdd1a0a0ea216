"""Query parameters that read endpoints of several areas share."""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

IncludeSubteams = Annotated[
    bool, QueryParameter(name="includeSubteams", description="With `teamId`: the teams under it.")
]
