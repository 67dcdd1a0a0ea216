"""The Backstage area: importing and exporting the software catalog (docs/BACKSTAGE.md).

It records through the org and boundaries areas' commands and reads their views; its
one aggregate, the catalog link, remembers what the last import held; it has no views
or GraphQL fields of its own."""

from domain.backstage import CatalogLink
from services.area import Area
from services.backstage.importer import BackstageImports
from services.backstage.rest import BackstageController

AREA = Area(
    name="backstage",
    aggregates=(CatalogLink,),
    commands=BackstageImports,
    controllers=(BackstageController,),
)
