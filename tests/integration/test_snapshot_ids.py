"""Ids name the snapshot: an object read at a past position has an id of its own,
which ``node(id:)`` answers with that same snapshot; the current object keeps the
plain id. So normalised client caches keep the past beside the present."""

from __future__ import annotations

from domain.people.values import Function
from projections.reading import ReadSession
from services.api.commands import CommandContext
from services.excellence.rest import AppointFunctionalLeader
from services.graphql.context import FlywheelContext
from services.graphql.loaders import Loaders
from services.graphql.schema import build_schema
from services.ids import global_id, parse_global_id
from services.org.rest import AppointLeader, CharterTeam
from services.runtime import Runtime
from services.settings import GraphQLExecutor
from tests.graphql_answers import answer
from tests.people import CEO

WAIT = 10.0
TEAM = """query($id: ID!, $at: Int) {
  team(id: $id, atPosition: $at) { id uuid leader { person { id handle } } parent { id } }
}"""
NODE = """query($id: ID!) { node(id: $id) { id ... on Team { leader { person { handle } } } } }"""


async def test_a_past_read_has_an_id_of_its_own_that_node_answers(serving: Runtime) -> None:
    parent = serving.org.charter_team(
        CommandContext(CEO, "c1"),
        CharterTeam(name="Platform", mission="m", leader="pat@example.com"),
    )
    team = serving.org.charter_team(
        CommandContext(CEO, "c2"),
        CharterTeam(name="Payments", mission="m", leader="ann@example.com", parent_id=parent.id),
    )
    then = team.position
    later = serving.org.appoint_leader(
        CommandContext(CEO, "c3"),
        team.id,
        AppointLeader(leader="bob@example.com", reason="Ann moved on"),
    )
    assert await serving.watcher.wait_for(later.position, WAIT)
    plain = global_id("Team", str(team.id))

    for executor in GraphQLExecutor:
        now = (await answer(serving, TEAM, executor, id=plain))["team"]
        past = (await answer(serving, TEAM, executor, id=plain, at=then))["team"]

        # The current object keeps the plain id; the past one names its position,
        # and so do the objects read through it (the parent, the leader).
        assert now["id"] == plain
        assert now["leader"]["person"]["id"] == global_id("Person", "bob@example.com")
        assert past["id"] == global_id("Team", f"{team.id} at {then}")
        assert past["id"] != now["id"]
        assert past["uuid"] == now["uuid"] == str(team.id)
        assert past["parent"]["id"] == global_id("Team", f"{parent.id} at {then}")
        assert past["leader"]["person"]["id"] == global_id("Person", f"ann@example.com at {then}")
        assert parse_global_id(past["id"]) == ("Team", f"{team.id} at {then}")

        # Refetchable: node(id:) answers the snapshot each id names.
        refetched_past = (await answer(serving, NODE, executor, id=past["id"]))["node"]
        assert refetched_past == {
            "id": past["id"],
            "leader": {"person": {"handle": "ann@example.com"}},
        }
        refetched_now = (await answer(serving, NODE, executor, id=plain))["node"]
        assert refetched_now == {"id": plain, "leader": {"person": {"handle": "bob@example.com"}}}

        # A past id is still the team's id to the typed root field, which reads at its
        # own asOf/atPosition (now, when none is given).
        by_past_id = (await answer(serving, TEAM, executor, id=past["id"]))["team"]
        assert by_past_id["id"] == plain


PEOPLE = """query($id: ID!, $at: Int) {
  functionalLeaders(atPosition: $at) { function leader { id handle leads { name } } }
  team(id: $id, atPosition: $at) { history(first: 5) { nodes { actor { id handle } } } }
}"""


async def test_a_person_a_field_names_is_read_at_the_position_of_the_answer(
    serving: Runtime,
) -> None:
    """`FunctionalLeader.leader` and `HistoryEntry.actor` answer a `Person` as of the
    object holding them: in a past answer, the person (their id, the team they lead)
    is as they were then."""
    team = serving.org.charter_team(
        CommandContext(CEO, "p1"),
        CharterTeam(name="Ledger", mission="m", leader="lee@example.com"),
    )
    appointed = serving.excellence.appoint_functional_leader(
        CommandContext(CEO, "p2"),
        Function.ENGINEERING,
        AppointFunctionalLeader(person="lee@example.com", reason="Knows the craft"),
    )
    then = appointed.position
    later = serving.org.appoint_leader(
        CommandContext(CEO, "p3"),
        team.id,
        AppointLeader(leader="len@example.com", reason="Lee moved on"),
    )
    assert await serving.watcher.wait_for(later.position, WAIT)
    plain = global_id("Team", str(team.id))

    for executor in GraphQLExecutor:
        past = await answer(serving, PEOPLE, executor, id=plain, at=then)
        now = await answer(serving, PEOPLE, executor, id=plain)
        [leader_then] = [
            f["leader"] for f in past["functionalLeaders"] if f["function"] == "ENGINEERING"
        ]
        [leader_now] = [
            f["leader"] for f in now["functionalLeaders"] if f["function"] == "ENGINEERING"
        ]
        assert leader_then == {
            "id": global_id("Person", f"lee@example.com at {then}"),
            "handle": "lee@example.com",
            "leads": {"name": "Ledger"},
        }
        assert leader_now == {
            "id": global_id("Person", "lee@example.com"),
            "handle": "lee@example.com",
            "leads": None,
        }
        actors_then = past["team"]["history"]["nodes"]
        assert actors_then == [
            {
                "actor": {
                    "id": global_id("Person", f"{CEO.subject} at {then}"),
                    "handle": CEO.subject,
                }
            }
        ]
        assert [n["actor"]["id"] for n in now["team"]["history"]["nodes"]] == [
            global_id("Person", CEO.subject)
        ] * 2


async def test_past_ids_that_cannot_be_answered_are_client_errors(serving: Runtime) -> None:
    team = serving.org.charter_team(
        CommandContext(CEO, "c1"), CharterTeam(name="Search", mission="m", leader="sam@example.com")
    )
    assert await serving.watcher.wait_for(team.position, WAIT)
    assert serving.read_pool is not None
    future = global_id("Team", f"{team.id} at {team.position + 1000}")
    malformed = global_id("Team", f"{team.id} at soon")
    past = global_id("Team", f"{team.id} at {team.position}")
    async with ReadSession(serving.read_pool) as session:
        context = FlywheelContext(
            runtime=serving,
            principal=CEO,
            session=session,
            loaders=Loaders(session),
            position=session.position,
        )
        schema = build_schema()
        ahead = await schema.execute(NODE, variable_values={"id": future}, context_value=context)
        bad = await schema.execute(NODE, variable_values={"id": malformed}, context_value=context)
        both = await schema.execute(
            "query($id: ID!) { node(id: $id, atPosition: 0) { id } }",
            variable_values={"id": past},
            context_value=context,
        )
    assert ahead.errors is not None and "have reached position" in ahead.errors[0].message
    assert bad.errors is not None and "Not a global id" in bad.errors[0].message
    assert both.errors is not None and "past position" in both.errors[0].message
