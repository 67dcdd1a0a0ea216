"""The people area: a person's personal data (the display name) and its erasure.

People are read through the org area (``Person`` nodes, ``views.people``)."""

from domain.people.person import Person
from services.area import Area
from services.people.commands import PeopleCommands
from services.people.rest import PeopleController

AREA = Area(
    name="people",
    aggregates=(Person,),
    commands=PeopleCommands,
    controllers=(PeopleController,),
)
