"""REST commands on people's personal data, under ``/api/v1/people``."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from msgspec import Meta

from domain.people.person import MAX_DISPLAY_NAME_LENGTH, MAX_ERASURE_REASON_LENGTH
from domain.people.values import MAX_PERSON_ID_LENGTH
from services.api.bodies import CommandBody
from services.api.commands import CommandAccepted, CommandContext, accepted, command
from services.api.text import HANDLE, LINE
from services.commands import Outcome
from services.ids import global_id
from services.people.commands import PeopleCommands


class SetDisplayName(CommandBody):
    display_name: Annotated[
        str,
        Meta(min_length=1, max_length=MAX_DISPLAY_NAME_LENGTH, examples=["Alice Example"]),
        LINE,
    ]


class ErasePerson(CommandBody):
    reason: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=MAX_ERASURE_REASON_LENGTH,
            examples=["Erasure request 2026-114 (GDPR art. 17)"],
        ),
    ]


Handle = Annotated[
    str,
    Parameter(
        description="The person's handle, e.g. alice@example.com.",
        max_length=MAX_PERSON_ID_LENGTH,
    ),
    HANDLE,
]


def _answer(outcome: Outcome, handle: str) -> CommandAccepted:
    """The person's record; its ``nodeId`` is the GraphQL ``Person``, known by handle."""
    answer = accepted(outcome)
    return msgspec.structs.replace(answer, node_id=global_id("Person", handle.strip().lower()))


class PeopleController(Controller):
    path = "/api/v1/people"
    tags = ["People"]

    @command(
        "/{handle:str}",
        method="PUT",
        summary="Set a person's display name",
        description="A person sets their own display name; leadership may set anyone's. "
        "The name is personal data: it is stored encrypted with the person's key and "
        "can be erased. Refused once the person was erased (`person-erased`).",
    )
    def set_display_name(
        self,
        handle: Handle,
        data: JSONBody[SetDisplayName],
        context: NamedDependency[CommandContext],
        people: NamedDependency[PeopleCommands],
    ) -> CommandAccepted:
        outcome = people.set_display_name(context, handle, data)
        return _answer(outcome, handle)

    @command(
        "/{handle:str}/erasure",
        summary="Erase a person's personal data",
        description="Leadership erases a person's personal data on request, with a reason: "
        "the person's key is destroyed and `PersonErased` is recorded, in one transaction. "
        "Every personal value recorded about them becomes unreadable in every view, export "
        "and log answer; the events and the hash chain stay as they were. 404 when no "
        "personal data was ever recorded for the handle; a second erasure is refused "
        "(`person-erased`).",
    )
    def erase(
        self,
        handle: Handle,
        data: JSONBody[ErasePerson],
        context: NamedDependency[CommandContext],
        people: NamedDependency[PeopleCommands],
    ) -> CommandAccepted:
        outcome = people.erase(context, handle, data)
        return _answer(outcome, handle)
