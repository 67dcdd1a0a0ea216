"""Differential test: ``FastExecutor`` answers exactly as strawberry's own executor.

``services/graphql/executor/`` overrides graphql-core's and strawberry's
execution internals and generates code, so its correctness rests on this test:
every GraphQL query the tests and the README send, and 1,200 queries generated
over the schema (fragments, aliases, ``@include``/``@skip``, variables,
``asOf``/``atPosition``, bad ids, page sizes and cursors both ways (``first``/``after``,
``last``/``before``), ``orderBy``, positions), are each
answered by both executors on read snapshots at one position of a seeded company with some
history, and the answers (data, errors with their messages, paths, locations and
codes, extensions) must be identical. ``SEED`` fixes the generated queries;
another seed draws others.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import strawberry
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from domain.goals import GoalOutcome
from projections.reading import ReadSession
from services.api.app import create_app
from services.api.commands import CommandContext
from services.boundaries.rest_services import TransferService
from services.goals.rest import CloseGoal, ReviseTarget
from services.graphql.executor import FastExecutor
from services.graphql.schema import build_schema
from services.org.rest import AppointLeader, MoveTeam
from services.principal import Principal, Role
from services.runtime import Runtime
from services.seed import Seeded, seed_demo
from services.settings import GraphQLExecutor, load_settings
from tests.conftest import fresh_database
from tests.graphql_answers import context_on
from tests.graphql_requests import POOL_QUERY, Company, Request, requests_of
from tests.people import CEO, principal

SEED = 14
GENERATED = 1_200
WAIT = 30.0

AUDITING_LEADER = principal("ceo@example.com", Role.LEADERSHIP, Role.AUDITOR)
PLANNER = principal("planner@example.com", Role.PLANNER)


@dataclass
class Snapshot:
    runtime: Runtime
    company: Company
    fast: strawberry.Schema
    standard: strawberry.Schema


def record_history(runtime: Runtime, seeded: Seeded) -> int:
    """A few changes after the demo, so that answers as of a past moment differ
    from today's: a new leader, a reorganisation, a transfer, a revised and a
    closed goal, a member gone."""
    teams, services, goals = seeded.teams, seeded.services, seeded.goals
    outcomes = [
        runtime.org.appoint_leader(
            CommandContext(CEO, "history"),
            teams["Checkout"],
            AppointLeader(leader="zoe@example.com", reason="Alice moves on"),
        ),
        runtime.org.move_team(
            CommandContext(CEO, "history"),
            teams["Ledger"],
            MoveTeam(parent_id=teams["Retail"], reason="Finance org"),
        ),
        runtime.org.remove_member(
            CommandContext(CEO, "history"),
            teams["Search"],
            person="niaj@example.com",
            reason="Left",
        ),
        runtime.boundaries.transfer_service(
            CommandContext(CEO, "history"),
            services["search-api"],
            TransferService(to_team_id=teams["Checkout"], reason="Merge"),
        ),
        runtime.goals.revise_target(
            CommandContext(CEO, "history"),
            goals[0],
            ReviseTarget(target=Decimal(92), reason="Ahead"),
        ),
        runtime.goals.close_goal(
            CommandContext(CEO, "history"),
            goals[4],
            CloseGoal(outcome=GoalOutcome.ACHIEVED, note="Declines halved"),
        ),
    ]
    return max(outcome.position for outcome in outcomes)


def now() -> str:
    return datetime.now(UTC).isoformat()


async def answer(
    schema: strawberry.Schema,
    runtime: Runtime,
    session: ReadSession,
    request: Request,
    caller: Principal,
) -> dict[str, Any]:
    context = context_on(runtime, session, caller)
    try:
        result = await schema.execute(
            request.query, variable_values=request.variables, context_value=context
        )
    except CannotGetOperationTypeError:
        # several operations and no operationName: refused before either executor runs
        return {"request_error": "several operations need an operationName"}
    errors = [
        {**error.formatted, "original": type(error.original_error).__name__}
        for error in result.errors or ()
    ]
    return {"data": result.data, "errors": errors, "extensions": result.extensions}


@pytest.fixture(scope="module")
async def snapshot(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Snapshot]:
    """The demo company and its history, the views caught up, and both schemas."""
    with fresh_database(postgres_server) as url:
        data_dir = tmp_path_factory.mktemp("differential")
        runtime = Runtime.open(
            load_settings(
                {
                    "DATABASE_URL": url,
                    "FLYWHEEL_DATA_DIR": str(data_dir),
                    "FLYWHEEL_POOL_SIZE": "2",
                    # points spent would differ between the two runs of each query
                    "FLYWHEEL_GRAPHQL_RATE_LIMIT": "0",
                }
            )
        )
        try:
            times = ["2000-01-01T00:00:00+00:00", now()]
            seeded = seed_demo(runtime)
            times.append(now())
            head = record_history(runtime, seeded)
            times += [now(), "2100-01-01T00:00:00Z"]
            await runtime.start()
            assert await runtime.watcher.wait_for(head, WAIT)
            fast = build_schema(executor=GraphQLExecutor.FAST)
            # strawberry's executor on the very same schema, so that only the execution
            # context differs (and each document is parsed and validated once)
            standard = copy.copy(fast)
            standard.execution_context_class = StrawberryGraphQLCoreExecutionContext
            assert runtime.read_pool is not None
            async with ReadSession(runtime.read_pool) as session:
                pool = await answer(standard, runtime, session, Request("pool", POOL_QUERY), CEO)
            assert not pool["errors"], pool["errors"]
            year = date.today().year + 1  # the demo's plan year
            company = Company.from_pool(pool["data"], year=year, head=head, times=times)
            yield Snapshot(runtime, company, fast, standard)
        finally:
            await runtime.stop()
            runtime.close()


async def answer_alone(
    schema: strawberry.Schema, snapshot: Snapshot, request: Request, caller: Principal
) -> dict[str, Any]:
    """``answer`` on a read snapshot of its own, at the company's head."""
    runtime = snapshot.runtime
    assert runtime.read_pool is not None
    result: dict[str, Any] = {}
    try:
        async with ReadSession(runtime.read_pool) as session:
            assert session.position == snapshot.company.head
            result = await answer(schema, runtime, session, request, caller)
    except asyncpg.InterfaceError:
        pass  # a read cancelled by a sibling's error left the connection busy (issue 13, item 7)
    return result


def carries_data(value: Any) -> bool:
    """Whether an answer holds more than nulls, zeros, falses and empty lists."""
    if isinstance(value, dict):
        return any(carries_data(item) for item in value.values())
    if isinstance(value, list):
        return bool(value)
    return value not in (None, 0, False, "")


@dataclass
class Comparison:
    """Both executors' answers to some requests."""

    answers: list[dict[str, Any]] = field(default_factory=list)
    different: list[str] = field(default_factory=list)

    def report(self, count: int) -> str:
        return f"{len(self.different)} of {count} differ:\n\n" + "\n\n".join(self.different[:3])


async def compare(snapshot: Snapshot, requests: list[Request]) -> Comparison:
    """Each request answered by both executors, each on its own read snapshot of the
    same position (nothing is written once the fixture is done). Every fifth
    request is a planner's, who may not read history.
    """
    comparison = Comparison()
    for index, request in enumerate(requests):
        caller = PLANNER if index % 5 == 4 else AUDITING_LEADER
        fast, standard = [
            await answer_alone(schema, snapshot, request, caller)
            for schema in (snapshot.fast, snapshot.standard)
        ]
        comparison.answers.append(standard)
        described = (
            f"{request.origin}: {request.query}\nvariables: {request.variables}\n"
            f"fast:     {json.dumps(fast, default=str)}\n"
            f"standard: {json.dumps(standard, default=str)}"
        )
        if fast != standard:
            comparison.different.append(described)
    return comparison


@dataclass
class Corpus:
    collected: list[Request]
    generated: list[Request]


@pytest.fixture(scope="module")
def corpus(snapshot: Snapshot) -> Corpus:
    schema = snapshot.standard._schema
    return Corpus(*requests_of(schema, snapshot.company, generated=GENERATED, seed=SEED))


async def test_the_queries_of_the_tests_and_the_readme_answer_alike(
    snapshot: Snapshot, corpus: Corpus
) -> None:
    collected = corpus.collected
    origins = {request.origin.split(":")[0].split(" query")[0] for request in collected}
    assert len(collected) >= 80, "the collector found fewer queries than the tests send"
    assert "README.md" in origins
    assert "tests/e2e/test_teams_over_http.py" in origins

    comparison = await compare(snapshot, collected)

    assert not comparison.different, comparison.report(len(collected))


async def test_generated_queries_answer_alike(snapshot: Snapshot, corpus: Corpus) -> None:
    generated = corpus.generated
    assert len(generated) == GENERATED

    comparison = await compare(snapshot, generated)

    assert not comparison.different, comparison.report(len(generated))
    # ... and the queries were worth comparing: they reach data, errors and the past
    answers = comparison.answers
    texts = [request.query + json.dumps(request.variables) for request in generated]
    assert sum(carries_data(answer.get("data")) for answer in answers) >= 600
    # Errors on purpose (bad arguments and cursors, both `first` and `last`) and where a
    # field is refused (`history` under every `Person`, refused to the planner): at most
    # half, so that most queries compare data.
    assert 100 <= sum(bool(answer.get("errors")) for answer in answers) <= 600
    assert sum("atPosition" in text or "asOf" in text for text in texts) >= 300
    assert sum("fragment " in text for text in texts) >= 100
    assert sum("@include" in text or "@skip" in text for text in texts) >= 100
    assert sum("last:" in text for text in texts) >= 100
    assert sum("before:" in text for text in texts) >= 100
    assert sum("orderBy:" in text for text in texts) >= 30


STEERED = """
query Steered($withLeader: Boolean!, $first: Int!) {
  teams(first: $first) {
    nodes { name leader @include(if: $withLeader) { person { handle } } }
  }
}
"""


async def test_an_operation_asked_again_answers_alike(snapshot: Snapshot, corpus: Corpus) -> None:
    """Compiled completions are kept per parsed operation from one request to the next
    (the parser cache answers the same document for the same text): every query answers
    as strawberry's executor does the second time too, and a selection steered by
    variables (``@include(if: $v)``) follows each request's values."""
    requests = corpus.collected + corpus.generated[:200]
    steered = [
        Request(f"steered {n}", STEERED, {"withLeader": n % 2 == 0, "first": 1 + n})
        for n in range(4)
    ]
    await compare(snapshot, requests)

    again = await compare(snapshot, requests + steered)

    assert not again.different, again.report(len(requests) + len(steered))
    with_leaders, without = again.answers[-4]["data"], again.answers[-3]["data"]
    assert all("leader" in team for team in with_leaders["teams"]["nodes"])
    assert all("leader" not in team for team in without["teams"]["nodes"])
    assert len(with_leaders["teams"]["nodes"]) == 1 and len(without["teams"]["nodes"]) == 2


@pytest.mark.parametrize(
    ("setting", "execution_context"),
    [("fast", FastExecutor), ("standard", StrawberryGraphQLCoreExecutionContext)],
)
def test_the_setting_picks_the_executor_the_server_runs(
    database_url: str, tmp_path: Path, setting: str, execution_context: type
) -> None:
    settings = load_settings(
        {
            "DATABASE_URL": database_url,
            "FLYWHEEL_DATA_DIR": str(tmp_path),
            "FLYWHEEL_GRAPHQL_EXECUTOR": setting,
        }
    )
    runtime = Runtime.open(settings)
    try:
        app = create_app(runtime)
    finally:
        runtime.close()
    schemas = {
        handler.fn.__self__.schema  # the controller's, whose methods the handlers are
        for route in app.routes
        if route.path == "/graphql"
        for handler in getattr(route, "route_handlers", [getattr(route, "route_handler", None)])
        if hasattr(handler.fn, "__self__")
    }
    assert [schema.execution_context_class for schema in schemas] == [execution_context]
