"""Flywheel's reads beside PostGraphile's: the tool a team might pick instead.

PostGraphile v4 (with the connection-filter plugin, pinned in
bench/postgraphile/package.json, installed there with ``npm ci``) serves the same
view tables: SQL views over their current rows (``valid_to IS NULL``) in a schema
of their own, with smart comments naming their keys and relations, so that it
compiles each page into one SQL statement. Two reads, each at 1 and 4 clients,
the two servers alternating within each repeat:

- the **team page** (bench/reads_queries.py: 50 teams with leader, members, their
  first 20 services, APIs and this year's goals);
- **100 teams with their leaders**, a small answer where a server's fixed cost
  per request shows.

The answers are checked to hold the same teams and the same totals. The baseline
of every figure is PostGraphile's rate in the same run; the goal (issue 21) is
Flywheel ahead of it (a ratio of at least 1). Needs Node.js and npm.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
import psycopg

from bench.context import THIS_YEAR, Context
from bench.environment import Server, free_port, note
from bench.harness import Figure, Report, at_least, median
from bench.reads_load import Load, Target, analyse, drive
from bench.reads_queries import TEAM_PAGE, ReadQuery

PACKAGE = Path(__file__).resolve().parent / "postgraphile"
SCHEMA = "current_views"
START_TIMEOUT = 60.0
CLIENTS = (1, 4)
MAX_REPEATS = 3
GOAL_RATIO = 1.0

# The views PostGraphile serves: the current rows of Flywheel's own view tables, each
# with the smart tags that name its key and the team it belongs to.
CURRENT_VIEWS = {
    "teams": (
        "SELECT id, name, mission, status, leader, leader_since FROM views.teams "
        "WHERE valid_to IS NULL",
        ["@primaryKey id"],
    ),
    "team_members": (
        "SELECT team_id, person, function, attachment, since FROM views.team_members "
        "WHERE valid_to IS NULL",
        [
            "@primaryKey team_id,person",
            "@foreignKey (team_id) references {teams} (id)"
            "|@fieldName team|@foreignFieldName members",
        ],
    ),
    "services": (
        "SELECT id, name, status, owner_team_id FROM views.services WHERE valid_to IS NULL",
        [
            "@primaryKey id",
            "@foreignKey (owner_team_id) references {teams} (id)"
            "|@fieldName ownerTeam|@foreignFieldName services",
        ],
    ),
    "apis": (
        "SELECT a.id, a.name, a.version, a.kind, a.visibility, a.status, s.owner_team_id "
        "FROM views.apis a JOIN views.services s ON s.id = a.service_id "
        "AND s.valid_to IS NULL WHERE a.valid_to IS NULL",
        [
            "@primaryKey id",
            "@foreignKey (owner_team_id) references {teams} (id)"
            "|@fieldName ownerTeam|@foreignFieldName apis",
        ],
    ),
    "goals": (
        "SELECT g.id, g.team_id, g.plan_year, g.description, g.baseline, g.target, "
        "g.due_date, c.status, g.top_level, g.set_position FROM views.goals g "
        "LEFT JOIN views.goal_check_ins c ON c.goal_id = g.id AND c.valid_to IS NULL "
        "WHERE g.valid_to IS NULL",
        [
            "@primaryKey id",
            "@foreignKey (team_id) references {teams} (id)|@fieldName team|@foreignFieldName goals",
        ],
    ),
}


def current_views_ddl() -> list[str]:
    statements = [f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE", f"CREATE SCHEMA {SCHEMA}"]
    for name, (select, tags) in CURRENT_VIEWS.items():
        comment = "\\n".join(tags).format(teams=f"{SCHEMA}.teams")
        statements += [
            f"CREATE VIEW {SCHEMA}.{name} AS {select}",
            f"COMMENT ON VIEW {SCHEMA}.{name} IS E'{comment}'",
        ]
    return statements


POSTGRAPHILE_TEAM_PAGE = """
query TeamPage($planYear: Int!) {
  teams: allTeams(first: 50, orderBy: [NAME_ASC, ID_ASC]) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id name mission status leader leaderSince
      members(orderBy: PERSON_ASC) { nodes { person function attachment since } }
      services(first: 20, orderBy: [NAME_ASC, ID_ASC]) { totalCount nodes { id name status } }
      apis(first: 20, orderBy: [NAME_ASC, VERSION_ASC, ID_ASC]) {
        totalCount nodes { id name version kind visibility status }
      }
      goals(first: 20, condition: {planYear: $planYear}, orderBy: SET_POSITION_ASC) {
        totalCount nodes { id description baseline target dueDate status topLevel }
      }
    }
  }
}
"""

LEADERS = """
query Leaders {
  teams(first: 100) { nodes { id name leader { person { handle } } } }
}
"""

POSTGRAPHILE_LEADERS = """
query Leaders {
  teams: allTeams(first: 100, orderBy: [NAME_ASC, ID_ASC]) { nodes { id name leader } }
}
"""


@dataclass(frozen=True)
class Read:
    """One read as each server asks it."""

    name: str
    flywheel: ReadQuery
    postgraphile: str


READS = (
    Read(
        "team_page",
        ReadQuery("team_page", TEAM_PAGE, "", takes_plan_year=True),
        POSTGRAPHILE_TEAM_PAGE,
    ),
    Read(
        "leaders",
        ReadQuery("leaders", LEADERS, "", takes_plan_year=False),
        POSTGRAPHILE_LEADERS,
    ),
)


def run(context: Context, report: Report) -> None:
    url = context.company()
    analyse(url)
    repeats = min(context.scale.repeats, MAX_REPEATS)
    seconds = context.scale.seconds
    loads: dict[tuple[str, str, int], list[Load]] = {}
    with Server(url) as flywheel, postgraphile(url) as postgraphile_url:
        targets = {
            read.name: {
                "flywheel": Target.graphql(flywheel.url, read.flywheel, THIS_YEAR),
                "postgraphile": postgraphile_target(postgraphile_url, read),
            }
            for read in READS
        }
        for read in READS:
            same = same_teams(targets[read.name]["flywheel"], targets[read.name]["postgraphile"])
            note(f"{read.name}: Flywheel and PostGraphile answer {same}")
        for repeat in range(repeats):
            sides = ("flywheel", "postgraphile")
            for read in READS:
                for clients in CLIENTS:
                    for side in sides if repeat % 2 == 0 else sides[::-1]:
                        load = drive(targets[read.name][side], seconds, concurrency=clients)
                        loads.setdefault((read.name, side, clients), []).append(load)
                        note(
                            f"repeat {repeat + 1}/{repeats} {read.name} {side}, {clients} "
                            f"client(s): {load.rate:.1f}/s, p50 {load.ms(0.5):.1f} ms, "
                            f"p99 {load.ms(0.99):.1f} ms"
                        )
    for read in READS:
        for clients in CLIENTS:
            ours = loads[read.name, "flywheel", clients]
            theirs = loads[read.name, "postgraphile", clients]
            report.add(
                Figure(
                    name=f"postgraphile.{read.name}.throughput {clients} client(s)",
                    value=median(load.rate for load in ours),
                    unit="answers/s",
                    baseline=median(load.rate for load in theirs),
                    baseline_name="PostGraphile 4",
                    goal=at_least(GOAL_RATIO),
                    runs=len(ours),
                    detail={
                        "concurrency": clients,
                        "p99_ms": round(median(load.ms(0.99) for load in ours), 2),
                        "baseline_p99_ms": round(median(load.ms(0.99) for load in theirs), 2),
                    },
                )
            )


def postgraphile_target(url: str, read: Read) -> Target:
    variables = {"planYear": THIS_YEAR} if read.flywheel.takes_plan_year else {}
    body = msgspec.json.encode({"query": read.postgraphile, "variables": variables})
    return Target(url, "/graphql", body, {"Content-Type": "application/json"})


def same_teams(flywheel: Target, postgraphile: Target) -> str:
    """Whether both answers hold the same teams, leaders and totals (ids and spelling
    of times differ between the two servers)."""
    ours, theirs = flywheel.fetch()["data"]["teams"], postgraphile.fetch()["data"]["teams"]
    if summary(ours, leader=lambda team: team["leader"]["person"]["handle"]) == summary(
        theirs, leader=lambda team: team["leader"]
    ):
        return "the same teams"
    raise RuntimeError("Flywheel and PostGraphile answer different teams")


def summary(teams: dict[str, Any], leader: Any) -> list[tuple[Any, ...]]:
    """Each team's name, leader, number of members and nested totals."""
    return [
        (
            team["name"],
            leader(team),
            _count(team.get("members")),
            *(
                team[nested]["totalCount"]
                for nested in ("services", "apis", "goals")
                if nested in team
            ),
        )
        for team in teams["nodes"]
    ]


def _count(members: Any) -> int | None:
    """Members are a list in Flywheel's schema and a connection in PostGraphile's."""
    if members is None:
        return None
    return len(members["nodes"] if isinstance(members, dict) else members)


@contextlib.contextmanager
def postgraphile(database_url: str) -> Iterator[str]:
    """PostGraphile on a free port over the current views of ``database_url``."""
    if shutil.which("npm") is None:
        raise RuntimeError("PostGraphile needs Node.js and npm, which this machine lacks")
    if not (PACKAGE / "node_modules" / ".bin" / "postgraphile").exists():
        note("installing PostGraphile (npm ci in bench/postgraphile)")
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=PACKAGE, check=True, timeout=600
        )
    with psycopg.connect(database_url, autocommit=True) as conn:
        for statement in current_views_ddl():
            conn.execute(statement)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    directory = tempfile.TemporaryDirectory(prefix="flywheel-bench-postgraphile-")
    log_path = Path(directory.name) / "postgraphile.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(PACKAGE / "node_modules" / ".bin" / "postgraphile"),
                *("--connection", database_url, "--schema", SCHEMA),
                *("--append-plugins", "postgraphile-plugin-connection-filter"),
                *("--port", str(port), "--host", "127.0.0.1"),
                "--disable-default-mutations",
                "--disable-query-log",
            ],
            env={**os.environ, "NODE_ENV": "production"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(url, process, log_path)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        directory.cleanup()
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def _wait_ready(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"PostGraphile exited early:\n{log_path.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            answer = httpx.post(f"{url}/graphql", json={"query": "{ __typename }"}, timeout=2)
            if answer.status_code == 200:
                return
        time.sleep(0.2)  # polling a condition (PostGraphile answering), with a deadline
    raise RuntimeError(f"PostGraphile not ready in {START_TIMEOUT}s:\n{log_path.read_text()}")
