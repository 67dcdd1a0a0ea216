"""The hand-written baseline for the read benchmarks: raw ASGI, asyncpg, msgspec.

``python -m bench.baseline_server --port N`` (``DATABASE_URL`` in the environment)
serves the data of the benchmarked GraphQL reads (bench/reads_queries.py) as the
shortest path would: a few SQL queries over the current rows of the views
(``valid_to IS NULL``), dicts, one ``msgspec.json.encode``. No authentication,
no snapshot transaction, no framework. The boundary rules themselves are the
product's pure ``analyse`` (computing them is not what the baseline compares).

GET /team-page?planYear=Y, /api-boundaries, /goal-mix?planYear=Y, /prfaq-funnel and
/roadmap answer ``{"data": {...}}`` shaped like the GraphQL answers; GET /ready
answers 200.
"""

from __future__ import annotations

import argparse
import base64
import os
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs
from uuid import UUID

import asyncpg
import msgspec
import uvicorn

from projections.boundaries.report import ActiveService, Dependency, ProvidedApi, analyse
from projections.prfaqs.funnel import ring_figures

PAGE = 50
NESTED = 20

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def node_id(type_name: str, key: UUID) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def ref(type_name: str, key: UUID, name: str) -> dict[str, Any]:
    return {"id": node_id(type_name, key), "name": name}


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


# The team page: 50 teams by name with leader, members and the first 20 of their
# services, APIs and goals of the plan year (each with its total).

TEAMS = (
    "SELECT id, name, mission, status, leader, leader_since FROM views.teams "
    "WHERE valid_to IS NULL ORDER BY name, id LIMIT $1"
)
TEAM_COUNT = "SELECT count(*) FROM views.teams WHERE valid_to IS NULL"
MEMBERS = (
    "SELECT team_id, person, function, attachment, since FROM views.team_members "
    "WHERE team_id = ANY($1) AND valid_to IS NULL ORDER BY person"
)
SERVICES = (
    "SELECT * FROM (SELECT owner_team_id AS team_id, id, name, status, "
    "count(*) OVER w AS total, row_number() OVER (w ORDER BY name, id) AS n "
    "FROM views.services WHERE owner_team_id = ANY($1) AND valid_to IS NULL "
    "WINDOW w AS (PARTITION BY owner_team_id)) s WHERE n <= $2 ORDER BY team_id, n"
)
APIS = (
    "SELECT * FROM (SELECT s.owner_team_id AS team_id, a.id, a.name, a.version, a.kind, "
    "a.visibility, a.status, count(*) OVER w AS total, "
    "row_number() OVER (w ORDER BY a.name, a.version, a.id) AS n "
    "FROM views.apis a JOIN views.services s ON s.id = a.service_id AND s.valid_to IS NULL "
    "WHERE s.owner_team_id = ANY($1) AND a.valid_to IS NULL "
    "WINDOW w AS (PARTITION BY s.owner_team_id)) x WHERE n <= $2 ORDER BY team_id, n"
)
GOALS = (
    "SELECT * FROM (SELECT g.team_id, g.id, g.description, g.baseline, g.target, g.due_date, "
    "c.status, g.top_level, count(*) OVER w AS total, "
    "row_number() OVER (w ORDER BY g.set_position) AS n FROM views.goals g "
    "LEFT JOIN views.goal_check_ins c ON c.goal_id = g.id AND c.valid_to IS NULL "
    "WHERE g.team_id = ANY($1) AND g.plan_year = $3 AND g.valid_to IS NULL "
    "WINDOW w AS (PARTITION BY g.team_id)) g WHERE n <= $2 ORDER BY team_id, n"
)


def _by_team(rows: list[asyncpg.Record], item: Callable[[asyncpg.Record], Any]) -> dict[Any, Any]:
    found: dict[Any, Any] = {}
    for row in rows:
        page = found.get(row["team_id"])
        if page is None:
            page = found[row["team_id"]] = {"totalCount": row["total"], "nodes": []}
        page["nodes"].append(item(row))
    return found


async def team_page(conn: asyncpg.Connection, plan_year: int) -> dict[str, Any]:
    total = await conn.fetchval(TEAM_COUNT)
    teams = await conn.fetch(TEAMS, PAGE + 1)
    has_next = len(teams) > PAGE
    teams = teams[:PAGE]
    ids = [row["id"] for row in teams]
    members: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in await conn.fetch(MEMBERS, ids):
        members[row["team_id"]].append(
            {
                "person": {"handle": row["person"]},
                "function": row["function"],
                "attachment": row["attachment"],
                "since": row["since"],
            }
        )
    services = _by_team(
        await conn.fetch(SERVICES, ids, NESTED),
        lambda r: {"id": node_id("Service", r["id"]), "name": r["name"], "status": r["status"]},
    )
    apis = _by_team(
        await conn.fetch(APIS, ids, NESTED),
        lambda r: {
            "id": node_id("Api", r["id"]),
            "name": r["name"],
            "apiVersion": r["version"],
            "kind": r["kind"],
            "visibility": r["visibility"],
            "status": r["status"],
        },
    )
    goals = _by_team(
        await conn.fetch(GOALS, ids, NESTED, plan_year),
        lambda r: {
            "id": node_id("Goal", r["id"]),
            "description": r["description"],
            "baseline": float(r["baseline"]),
            "target": float(r["target"]),
            "dueDate": r["due_date"],
            "status": r["status"],
            "topLevel": r["top_level"],
        },
    )
    empty = {"totalCount": 0, "nodes": []}
    nodes = [
        {
            "id": node_id("Team", row["id"]),
            "name": row["name"],
            "mission": row["mission"],
            "status": row["status"],
            "leader": {"person": {"handle": row["leader"]}, "since": row["leader_since"]},
            "members": members.get(row["id"], []),
            "services": services.get(row["id"], empty),
            "apis": apis.get(row["id"], empty),
            "goals": goals.get(row["id"], empty),
        }
        for row in teams
    ]
    cursor = None
    if nodes:
        last = teams[-1]
        cursor = base64.urlsafe_b64encode(  # the ordering's tag ends it, as Flywheel's
            msgspec.json.encode([last["name"], str(last["id"]), "NAME ASC"])
        ).decode()
    return {
        "teams": {
            "totalCount": total,
            "pageInfo": {"hasNextPage": has_next, "endCursor": cursor},
            "nodes": nodes,
        }
    }


# The API boundaries of the whole company.

DEPENDENCIES = (
    "SELECT c.id AS consumer_id, c.name AS consumer_name, c.owner_team_id AS consumer_team_id, "
    "ct.name AS consumer_team_name, a.id AS api_id, a.name AS api_name, "
    "a.version AS api_version, a.visibility, a.status AS api_status, a.sunset, "
    "p.id AS provider_id, p.name AS provider_name, p.owner_team_id AS provider_team_id, "
    "pt.name AS provider_team_name "
    "FROM views.service_dependencies d "
    "JOIN views.services c ON c.id = d.service_id AND c.valid_to IS NULL "
    "JOIN views.apis a ON a.id = d.api_id AND a.valid_to IS NULL "
    "JOIN views.services p ON p.id = a.service_id AND p.valid_to IS NULL "
    "JOIN views.teams ct ON ct.id = c.owner_team_id AND ct.valid_to IS NULL "
    "JOIN views.teams pt ON pt.id = p.owner_team_id AND pt.valid_to IS NULL "
    "WHERE d.valid_to IS NULL"
)
PROVIDED = (
    "SELECT a.id AS api_id, a.name AS api_name, a.version AS api_version, a.visibility, "
    "a.status, p.id AS provider_id, p.name AS provider_name, "
    "p.owner_team_id AS provider_team_id, t.name AS provider_team_name "
    "FROM views.apis a "
    "JOIN views.services p ON p.id = a.service_id AND p.valid_to IS NULL "
    "JOIN views.teams t ON t.id = p.owner_team_id AND t.valid_to IS NULL "
    "WHERE a.valid_to IS NULL AND a.status <> 'RETIRED'"
)
ACTIVE_SERVICES = (
    "SELECT s.id AS service_id, s.name, s.owner_team_id AS team_id, t.name AS team_name, "
    "t.status = 'ACTIVE' AS team_active FROM views.services s "
    "JOIN views.teams t ON t.id = s.owner_team_id AND t.valid_to IS NULL "
    "WHERE s.valid_to IS NULL AND s.status = 'ACTIVE'"
)


async def api_boundaries(conn: asyncpg.Connection) -> dict[str, Any]:
    dependencies = [Dependency(**dict(row)) for row in await conn.fetch(DEPENDENCIES)]
    provided_rows = await conn.fetch(PROVIDED)
    status = {row["api_id"]: row["status"] for row in provided_rows}
    provided = [
        ProvidedApi(**{k: v for k, v in row.items() if k != "status"}) for row in provided_rows
    ]
    services = [ActiveService(**dict(row)) for row in await conn.fetch(ACTIVE_SERVICES)]
    report = analyse(None, dependencies, provided, services)

    service_names = {s.service_id: s.name for s in services}
    api_names: dict[UUID, tuple[str, str]] = {}
    for api in provided:
        service_names[api.provider_id] = api.provider_name
        api_names[api.api_id] = (api.api_name, api.api_version)
    for d in dependencies:
        service_names[d.consumer_id] = d.consumer_name
        api_names[d.api_id] = (d.api_name, d.api_version)
    by_api = {api.api_id: api for api in provided}

    def api_ref(api_id: UUID) -> dict[str, Any]:
        name, version = api_names[api_id]
        return {"id": node_id("Api", api_id), "name": name, "apiVersion": version}

    def edge(d: Dependency) -> dict[str, Any]:
        return {
            "consumer": ref("Service", d.consumer_id, d.consumer_name),
            "consumerTeam": ref("Team", d.consumer_team_id, d.consumer_team_name),
            "api": api_ref(d.api_id),
            "provider": ref("Service", d.provider_id, d.provider_name),
            "providerTeam": ref("Team", d.provider_team_id, d.provider_team_name),
        }

    provided_out = []
    for use in report.provided:
        api = by_api[use.api_id]
        provided_out.append(
            {
                "api": {
                    **api_ref(use.api_id),
                    "visibility": api.visibility.value,
                    "status": status[use.api_id],
                },
                "provider": ref("Service", api.provider_id, api.provider_name),
                "providerTeam": ref("Team", api.provider_team_id, api.provider_team_name),
                "dependencies": [
                    {
                        "consumer": ref("Service", d.consumer_id, d.consumer_name),
                        "consumerTeam": ref("Team", d.consumer_team_id, d.consumer_team_name),
                    }
                    for d in use.dependencies
                ],
            }
        )
    return {
        "apiBoundaries": {
            "provided": provided_out,
            "crossTeamDependencies": [edge(d) for d in report.cross_team],
            "violations": [
                {
                    "kind": v.kind.value,
                    "detail": v.detail,
                    "service": ref("Service", v.service_id, service_names[v.service_id]),
                    "api": None if v.api_id is None else api_ref(v.api_id),
                }
                for v in report.violations
            ],
        }
    }


# The goal mix of the whole company for a plan year, and per team.

GOAL_MIX = (
    "SELECT t.id, t.name, t.status, "
    "count(g.id) AS total, count(g.id) FILTER (WHERE m.kind = 'INPUT') AS input, "
    "count(g.id) FILTER (WHERE m.kind = 'OUTPUT') AS output, "
    "count(g.id) FILTER (WHERE m.financial) AS financial, "
    "count(g.id) FILTER (WHERE g.top_level) AS top_total, "
    "count(g.id) FILTER (WHERE g.top_level AND m.kind = 'INPUT') AS top_input, "
    "count(g.id) FILTER (WHERE g.top_level AND m.kind = 'OUTPUT') AS top_output, "
    "count(g.id) FILTER (WHERE g.top_level AND m.financial) AS top_financial "
    "FROM views.teams t LEFT JOIN (views.goals g JOIN views.metrics m "
    "ON m.id = g.metric_id AND m.valid_to IS NULL) "
    "ON g.team_id = t.id AND g.plan_year = $1 AND g.valid_to IS NULL "
    "WHERE t.valid_to IS NULL GROUP BY t.id, t.name, t.status ORDER BY t.name, t.id"
)
KINDS = ("total", "input", "output", "financial")


def _figures(counts: dict[str, int]) -> dict[str, Any]:
    return {
        **counts,
        "inputShare": share(counts["input"], counts["total"]),
        "financialShare": share(counts["financial"], counts["total"]),
    }


async def goal_mix(conn: asyncpg.Connection, plan_year: int) -> dict[str, Any]:
    rows = [
        row
        for row in await conn.fetch(GOAL_MIX, plan_year)
        if row["status"] == "ACTIVE" or row["total"] > 0
    ]
    overall = {kind: sum(row[kind] for row in rows) for kind in KINDS}
    top = {kind: sum(row[f"top_{kind}"] for row in rows) for kind in KINDS}
    return {
        "goalMix": {
            "planYear": plan_year,
            **_figures(overall),
            "topLevel": _figures(top),
            "byTeam": [
                {
                    "team": ref("Team", row["id"], row["name"]),
                    **_figures({kind: row[kind] for kind in KINDS}),
                    "topLevel": {kind: row[f"top_{kind}"] for kind in KINDS},
                }
                for row in rows
            ],
        }
    }


PRFAQ_STAYS = (
    "SELECT s.ring, s.entered_at, s.left_at, s.exit FROM views.prfaq_ring_stays s "
    "JOIN views.prfaqs p ON p.id = s.prfaq_id AND p.valid_to IS NULL WHERE s.valid_to IS NULL"
)
STALE_DRAFTS = (
    "SELECT id, title, state, ring FROM views.prfaqs WHERE valid_to IS NULL AND state = 'DRAFT' "
    "AND revised_at < now() - interval '30 days' ORDER BY revised_at, id"
)


async def prfaq_funnel(conn: asyncpg.Connection) -> dict[str, Any]:
    """The funnel's figures are the product's pure ``ring_figures`` over the same rows."""
    rings = ring_figures(await conn.fetch(PRFAQ_STAYS))
    stale = await conn.fetch(STALE_DRAFTS)
    return {
        "prfaqFunnel": {
            "rings": [
                {
                    "ring": figures.ring.value,
                    "reached": figures.reached,
                    "stopped": figures.stopped,
                    "inItNow": figures.in_it_now,
                    "medianDays": figures.median_days,
                }
                for figures in rings
            ],
            "staleDrafts": [
                {
                    "id": node_id("PrFaq", row["id"]),
                    "title": row["title"],
                    "state": row["state"],
                    "ring": row["ring"],
                }
                for row in stale
            ],
        }
    }


# The roadmap timeline of the whole company: every item by target date (undated last).

ROADMAP = (
    "SELECT i.id, i.title, i.horizon, i.status, i.target_date, i.health, "
    "t.id AS team_id, t.name AS team_name FROM views.roadmap_items i "
    "LEFT JOIN views.teams t ON t.id = i.team_id AND t.valid_to IS NULL "
    "WHERE i.valid_to IS NULL ORDER BY i.target_date NULLS LAST, i.title, i.id"
)


async def roadmap(conn: asyncpg.Connection) -> dict[str, Any]:
    return {
        "roadmap": [
            {
                "id": node_id("RoadmapItem", row["id"]),
                "title": row["title"],
                "horizon": row["horizon"],
                "status": row["status"],
                "targetDate": row["target_date"],
                "health": row["health"],
                "team": None
                if row["team_id"] is None
                else ref("Team", row["team_id"], row["team_name"]),
            }
            for row in await conn.fetch(ROADMAP)
        ]
    }


class App:
    """The ASGI application: one asyncpg pool, five GET endpoints."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.pool: asyncpg.Pool | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode())
        plan_year = int(query.get("planYear", ["0"])[0])
        path = scope["path"]
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            if path == "/team-page":
                data = await team_page(conn, plan_year)
            elif path == "/api-boundaries":
                data = await api_boundaries(conn)
            elif path == "/goal-mix":
                data = await goal_mix(conn, plan_year)
            elif path == "/prfaq-funnel":
                data = await prfaq_funnel(conn)
            elif path == "/roadmap":
                data = await roadmap(conn)
            elif path == "/ready":
                data = {"ready": await conn.fetchval("SELECT true")}
            else:
                await _answer(send, 404, b'{"error":"not found"}')
                return
        await _answer(send, 200, msgspec.json.encode({"data": data}))

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.pool = await asyncpg.create_pool(self.dsn, min_size=2, max_size=10)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _answer(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(
        App(os.environ["DATABASE_URL"]),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        lifespan="on",
    )


if __name__ == "__main__":
    main()
