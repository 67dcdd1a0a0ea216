"""Commands on people's personal data: set a display name, erase on request.

A person may set their own display name, and leadership anyone's. Erasure is
leadership's, with a reason: it destroys the person's key (in the transaction
that records ``Person.Erased``, see ``services.recorder``), so every personal
value ever recorded about them becomes unreadable, while their handle, their
place in teams and the hash chain stay as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.errors import NotFound
from domain.people.person import Person, person_record_id
from domain.people.values import PersonId, person_id
from services.authorization import require_leadership, require_self_or_leadership
from services.commands import AreaCommands, Outcome, UnitOfWork

if TYPE_CHECKING:  # the bodies are the REST API's; a command only reads them
    from services.api.commands import CommandContext
    from services.people.rest import ErasePerson, SetDisplayName


def _record_of(work: UnitOfWork, person: PersonId) -> Person:
    record = work.find(Person, person_record_id(person))
    if record is None:
        raise NotFound("person", person)
    return record


class PeopleCommands(AreaCommands):
    def set_display_name(
        self, context: CommandContext, handle: str, body: SetDisplayName
    ) -> Outcome:
        person = person_id(handle, field="handle")
        require_self_or_leadership(
            context.principal, person, "Setting another person's display name"
        )

        def name(work: UnitOfWork) -> Person:
            record = work.find(Person, person_record_id(person))
            if record is None:
                return work.add(Person.name(person, body.display_name))
            record.rename(body.display_name)
            return record

        return self.run(context, name, versioned=False)

    def erase(self, context: CommandContext, handle: str, body: ErasePerson) -> Outcome:
        require_leadership(context.principal, "Erasing a person's personal data")
        person = person_id(handle, field="handle")

        def erase(work: UnitOfWork) -> Person:
            record = _record_of(work, person)
            record.erase(body.reason)
            return record

        return self.run(context, erase, versioned=False)
