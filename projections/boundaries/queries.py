"""Queries over the API boundary views, batched by key for DataLoaders.

Every function takes ``at``: ``None`` for the current state, or the log position
to read as of. Lists are cursor pages (:mod:`projections.paging`); nested lists
are read for many parents in one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from projections.boundaries.report import (
    ActiveService,
    BoundaryReport,
    Coupling,
    Dependency,
    ProvidedApi,
    analyse,
    coupling,
)
from projections.paging import Listing, Page, PageRequest, at_args, page, pages_by_group
from projections.reading import ReadSession, visible

SERVICE_COLUMNS = (
    "s.id, s.name, s.description, s.status, s.owner_team_id, s.owner_since, "
    "s.registered_at, s.retired_at, s.version"
)
API_COLUMNS = (
    "a.id, a.service_id, a.name, a.version, a.kind, a.visibility, a.status, a.sunset, "
    "a.deprecation_reason, a.published_at, a.retired_at, a.aggregate_version"
)
SERVICE_ORDER = ("name", "id")
API_ORDER = ("name", "version", "id")


def _grouped(rows: Sequence[asyncpg.Record], column: str) -> dict[object, list[asyncpg.Record]]:
    groups: dict[object, list[asyncpg.Record]] = defaultdict(list)
    for row in rows:
        groups[row[column]].append(row)
    return groups


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def services_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        f"SELECT {SERVICE_COLUMNS} FROM {{views}}.services s "
        f"WHERE s.id = ANY($1) AND {visible('s', param)}",
        *args,
    )
    return {row["id"]: row for row in rows}


async def apis_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        f"SELECT {API_COLUMNS} FROM {{views}}.apis a "
        f"WHERE a.id = ANY($1) AND {visible('a', param)}",
        *args,
    )
    return {row["id"]: row for row in rows}


async def ownership_history(
    db: ReadSession, service_ids: Sequence[UUID], at: int | None
) -> dict[object, list[asyncpg.Record]]:
    """Each service's owners, oldest first, with the reason each transfer gave."""
    param, args = at_args(at, [list(service_ids)])
    rows = await db.fetch(
        "SELECT o.service_id, o.team_id, o.since, o.until, o.reason "
        "FROM {views}.service_owners o "
        f"WHERE o.service_id = ANY($1) AND {visible('o', param)} ORDER BY o.since_position",
        *args,
    )
    return _grouped(rows, "service_id")


@dataclass(frozen=True)
class ServiceFilter:
    name_contains: str | None = None
    owner_team_id: UUID | None = None
    status: str | None = None


def _services(at: int | None, where: ServiceFilter) -> Listing:
    param, args = at_args(at, [])
    conditions = [visible("s", param)]
    if where.name_contains:
        args.append(_like_pattern(where.name_contains))
        conditions.append(f"s.name ILIKE ${len(args)}")
    if where.owner_team_id is not None:
        args.append(where.owner_team_id)
        conditions.append(f"s.owner_team_id = ${len(args)}")
    if where.status is not None:
        args.append(where.status)
        conditions.append(f"s.status = ${len(args)}")
    return Listing(SERVICE_COLUMNS, "{views}.services s", conditions, args, SERVICE_ORDER)


async def service_page(
    db: ReadSession, at: int | None, where: ServiceFilter, request: PageRequest
) -> Page:
    return await page(db, _services(at, where), request)


async def services_of_teams(
    db: ReadSession,
    team_ids: Sequence[UUID],
    at: int | None,
    request: PageRequest,
    status: str | None,
) -> dict[UUID, Page]:
    """The services each team owns, a page per team."""
    listing = _services(at, ServiceFilter(status=status))
    return await pages_by_group(db, listing, "s.owner_team_id", team_ids, request)


@dataclass(frozen=True)
class ApiFilter:
    name_contains: str | None = None
    service_id: UUID | None = None
    owner_team_id: UUID | None = None
    kind: str | None = None
    visibility: str | None = None
    status: str | None = None


def _apis(at: int | None, where: ApiFilter) -> Listing:
    param, args = at_args(at, [])
    conditions = [visible("a", param)]
    for column, value in (
        ("a.service_id", where.service_id),
        ("s.owner_team_id", where.owner_team_id),
        ("a.kind", where.kind),
        ("a.visibility", where.visibility),
        ("a.status", where.status),
    ):
        if value is not None:
            args.append(value)
            conditions.append(f"{column} = ${len(args)}")
    if where.name_contains:
        args.append(_like_pattern(where.name_contains))
        conditions.append(f"a.name ILIKE ${len(args)}")
    source = (
        "{views}.apis a JOIN {views}.services s "
        f"ON s.id = a.service_id AND {visible('s', param)}"
    )
    return Listing(API_COLUMNS, source, conditions, args, API_ORDER)


async def api_page(db: ReadSession, at: int | None, where: ApiFilter, request: PageRequest) -> Page:
    return await page(db, _apis(at, where), request)


async def apis_of_services(
    db: ReadSession,
    service_ids: Sequence[UUID],
    at: int | None,
    request: PageRequest,
    status: str | None,
) -> dict[UUID, Page]:
    """The APIs each service publishes, a page per service."""
    listing = _apis(at, ApiFilter(status=status))
    return await pages_by_group(db, listing, "a.service_id", service_ids, request)


async def apis_of_teams(
    db: ReadSession,
    team_ids: Sequence[UUID],
    at: int | None,
    request: PageRequest,
    status: str | None,
) -> dict[UUID, Page]:
    """The APIs of the services each team owns, a page per team."""
    listing = _apis(at, ApiFilter(status=status))
    return await pages_by_group(db, listing, "s.owner_team_id", team_ids, request)


async def dependencies_of_services(
    db: ReadSession, service_ids: Sequence[UUID], at: int | None, request: PageRequest
) -> dict[UUID, Page]:
    """The APIs each service consumes (with ``depended_since``), a page per service."""
    param, args = at_args(at, [])
    listing = Listing(
        f"{API_COLUMNS}, d.since AS depended_since",
        "{views}.service_dependencies d JOIN {views}.apis a "
        f"ON a.id = d.api_id AND {visible('a', param)}",
        [visible("d", param)],
        args,
        API_ORDER,
    )
    return await pages_by_group(db, listing, "d.service_id", service_ids, request)


async def consumers_of_apis(
    db: ReadSession, api_ids: Sequence[UUID], at: int | None, request: PageRequest
) -> dict[UUID, Page]:
    """The services consuming each API (with ``depended_since``), a page per API."""
    param, args = at_args(at, [])
    listing = Listing(
        f"{SERVICE_COLUMNS}, d.since AS depended_since",
        "{views}.service_dependencies d JOIN {views}.services s "
        f"ON s.id = d.service_id AND {visible('s', param)}",
        [visible("d", param)],
        args,
        SERVICE_ORDER,
    )
    return await pages_by_group(db, listing, "d.api_id", api_ids, request)


def _in_scope(column: str, scope: Sequence[UUID] | None, args: list[object]) -> str:
    """The condition that ``column`` names a team in ``scope``; appends its argument."""
    if scope is None:
        return "TRUE"
    args.append(list(scope))
    return f"{column} = ANY(${len(args)})"


async def current_dependencies(
    db: ReadSession, at: int | None, scope: Sequence[UUID] | None
) -> list[Dependency]:
    """Every dependency whose consumer or provider is owned by a team in ``scope``."""
    param, args = at_args(at, [])
    touching = "TRUE"
    if scope is not None:
        args.append(list(scope))
        n = len(args)
        touching = f"(c.owner_team_id = ANY(${n}) OR p.owner_team_id = ANY(${n}))"
    rows = await db.fetch(
        "SELECT c.id AS consumer_id, c.name AS consumer_name, c.owner_team_id AS consumer_team_id, "
        "ct.name AS consumer_team_name, a.id AS api_id, a.name AS api_name, "
        "a.version AS api_version, a.visibility, a.status AS api_status, a.sunset, "
        "p.id AS provider_id, p.name AS provider_name, p.owner_team_id AS provider_team_id, "
        "pt.name AS provider_team_name "
        "FROM {views}.service_dependencies d "
        f"JOIN {{views}}.services c ON c.id = d.service_id AND {visible('c', param)} "
        f"JOIN {{views}}.apis a ON a.id = d.api_id AND {visible('a', param)} "
        f"JOIN {{views}}.services p ON p.id = a.service_id AND {visible('p', param)} "
        f"JOIN {{views}}.teams ct ON ct.id = c.owner_team_id AND {visible('ct', param)} "
        f"JOIN {{views}}.teams pt ON pt.id = p.owner_team_id AND {visible('pt', param)} "
        f"WHERE {visible('d', param)} AND {touching}",
        *args,
    )
    return [Dependency(*values) for values in _shared_values(rows)]


def _shared_values(rows: Sequence[asyncpg.Record]) -> list[tuple[Any, ...]]:
    """Each row's values, equal values of a column one object.

    The whole company's report holds every dependency until its answer is encoded, and
    the driver makes each cell a new object: the same team name, service name and
    id over and over (14 columns by 15,000 rows at full scale, ten times fewer
    distinct values). Sharing them keeps about 12 MB less per report."""
    columns: list[dict[Any, Any]] = []
    shared = []
    for row in rows:
        if not columns:
            columns = [{} for _ in row]
        shared.append(tuple(seen.setdefault(v, v) for seen, v in zip(columns, row, strict=True)))
    return shared


async def provided_apis(
    db: ReadSession, at: int | None, scope: Sequence[UUID] | None
) -> list[ProvidedApi]:
    """The APIs, not retired, of services owned by teams in ``scope``."""
    param, args = at_args(at, [])
    condition = _in_scope("p.owner_team_id", scope, args)
    rows = await db.fetch(
        "SELECT a.id AS api_id, a.name AS api_name, a.version AS api_version, a.visibility, "
        "p.id AS provider_id, p.name AS provider_name, p.owner_team_id AS provider_team_id, "
        "t.name AS provider_team_name "
        "FROM {views}.apis a "
        f"JOIN {{views}}.services p ON p.id = a.service_id AND {visible('p', param)} "
        f"JOIN {{views}}.teams t ON t.id = p.owner_team_id AND {visible('t', param)} "
        f"WHERE {visible('a', param)} AND a.status <> 'RETIRED' AND {condition}",
        *args,
    )
    return [ProvidedApi(**dict(row)) for row in rows]


async def active_services(
    db: ReadSession, at: int | None, scope: Sequence[UUID] | None
) -> list[ActiveService]:
    """Active services of teams in ``scope``, with whether their owning team is active."""
    param, args = at_args(at, [])
    condition = _in_scope("s.owner_team_id", scope, args)
    rows = await db.fetch(
        "SELECT s.id AS service_id, s.name, s.owner_team_id AS team_id, t.name AS team_name, "
        "t.status = 'ACTIVE' AS team_active "
        "FROM {views}.services s "
        f"JOIN {{views}}.teams t ON t.id = s.owner_team_id AND {visible('t', param)} "
        f"WHERE {visible('s', param)} AND s.status = 'ACTIVE' AND {condition}",
        *args,
    )
    return [ActiveService(**dict(row)) for row in rows]


async def boundary_report(
    db: ReadSession, at: int | None, scope: Sequence[UUID] | None
) -> BoundaryReport:
    """The API boundary report for the teams in ``scope`` (None: the whole company)."""
    return analyse(
        scope,
        await current_dependencies(db, at, scope),
        await provided_apis(db, at, scope),
        await active_services(db, at, scope),
    )


async def team_coupling(
    db: ReadSession, at: int | None, scope: Sequence[UUID] | None
) -> list[Coupling]:
    return coupling(scope, await current_dependencies(db, at, scope))
