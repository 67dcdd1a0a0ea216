"""The Backstage area: importing and exporting the software catalog (docs/BACKSTAGE.md).

It records through the org and boundaries areas' commands and reads their views;
it has no aggregates, views or GraphQL fields of its own."""

from services.area import Area
from services.backstage.importer import BackstageImports
from services.backstage.rest import BackstageController

AREA = Area(
    name="backstage",
    commands=BackstageImports,
    controllers=(BackstageController,),
)
