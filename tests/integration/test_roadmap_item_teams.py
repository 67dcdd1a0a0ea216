"""A roadmap item's ``team`` is read with the item's own row (the item queries join the
owning team as of the same position): it must answer exactly what ``team(id:)`` answers
as of that position, now and in the past, through every way of reaching an item, with
both executors."""

from __future__ import annotations

from uuid import UUID

from domain.people.values import Function
from domain.roadmap import Horizon
from services.api.commands import CommandContext
from services.ids import global_id
from services.org.rest import AppointLeader, CharterTeam, MoveTeam
from services.roadmap.rest import ProposeItem
from services.runtime import Runtime
from services.settings import GraphQLExecutor
from tests.graphql_answers import answer
from tests.people import CEO

WAIT = 10.0
TEAM_FIELDS = "id uuid name status leader { person { id handle } } parent { id name }"
TIMELINE = f"query($at: Int) {{ roadmap(atPosition: $at) {{ id title team {{ {TEAM_FIELDS} }} }} }}"
TEAM = f"query($id: ID!, $at: Int) {{ team(id: $id, atPosition: $at) {{ {TEAM_FIELDS} }} }}"
ITEM = f"""query($id: ID!, $at: Int) {{
  roadmapItem(id: $id, atPosition: $at) {{ team {{ {TEAM_FIELDS} }} }}
}}"""
TEAMS_ROADMAP = f"""query($id: ID!, $at: Int) {{
  team(id: $id, atPosition: $at) {{ roadmap {{ title team {{ {TEAM_FIELDS} }} }} }}
}}"""


def _charter(serving: Runtime, name: str, leader: str, parent: UUID | None = None) -> UUID:
    body = CharterTeam(name=name, mission="m", leader=leader, parent_id=parent)
    return serving.org.charter_team(CommandContext(CEO, name), body).id


def _propose(serving: Runtime, team: UUID, title: str) -> int:
    body = ProposeItem(
        team_id=team,
        title=title,
        outcome=f"{title} for customers",
        horizon=Horizon.NOW,
        headcount={Function.ENGINEERING: 1},
    )
    return serving.roadmap.propose(CommandContext(CEO, title), body).position


async def test_an_items_team_is_the_team_as_of_the_items_position(serving: Runtime) -> None:
    platform = _charter(serving, "Platform", "pat@example.com")
    retail = _charter(serving, "Retail", "rita@example.com")
    payments = _charter(serving, "Payments", "ann@example.com", parent=platform)
    _propose(serving, payments, "Refunds")
    _propose(serving, payments, "Wallets")
    then = _propose(serving, retail, "Returns")
    serving.org.appoint_leader(
        CommandContext(CEO, "leader"),
        payments,
        AppointLeader(leader="bob@example.com", reason="Ann moved on"),
    )
    later = serving.org.move_team(
        CommandContext(CEO, "move"), payments, MoveTeam(parent_id=retail, reason="Closer to stores")
    ).position
    assert await serving.watcher.wait_for(later, WAIT)
    owners = {"Refunds": payments, "Wallets": payments, "Returns": retail}

    answers = []
    for executor in GraphQLExecutor:
        for at in (None, then):
            timeline = (await answer(serving, TIMELINE, executor, at=at))["roadmap"]
            assert sorted(item["title"] for item in timeline) == sorted(owners)
            for item in timeline:
                owner = global_id("Team", str(owners[item["title"]]))
                team = (await answer(serving, TEAM, executor, id=owner, at=at))["team"]
                # The same team, read as of the same position, with the same id.
                assert item["team"] == team
                found = (await answer(serving, ITEM, executor, id=item["id"], at=at))["roadmapItem"]
                assert found["team"] == team
                of_team = (await answer(serving, TEAMS_ROADMAP, executor, id=owner, at=at))["team"]
                assert all(mine["team"] == team for mine in of_team["roadmap"])
                assert item["title"] in {mine["title"] for mine in of_team["roadmap"]}
            answers.append(timeline)

    now, past = answers[0], answers[1]
    assert answers[2:] == [now, past]  # both executors answer the same
    payments_now = next(item["team"] for item in now if item["title"] == "Refunds")
    payments_then = next(item["team"] for item in past if item["title"] == "Refunds")
    assert payments_now["leader"]["person"]["handle"] == "bob@example.com"
    assert payments_now["parent"]["name"] == "Retail"
    assert payments_then["leader"]["person"]["handle"] == "ann@example.com"
    assert payments_then["parent"]["name"] == "Platform"
    assert payments_then["id"] == global_id("Team", f"{payments} at {then}")
