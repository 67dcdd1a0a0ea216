"""The API boundary enums, registered as GraphQL enums once.

Import them from here rather than from :mod:`domain.boundaries`: importing this
module is what registers them (with their descriptions) before any type uses them.
"""

from __future__ import annotations

from domain.boundaries import ApiKind, ApiStatus, ServiceStatus, Visibility
from services.graphql.enums import graphql_enum

__all__ = ["ApiKind", "ApiStatus", "ServiceStatus", "Visibility"]

graphql_enum(
    ServiceStatus,
    description="Whether a service is in service.",
    ACTIVE="In service, owned by its team.",
    RETIRED="Retired; its APIs are retired with it.",
)
graphql_enum(
    ApiKind,
    description="How an API is called.",
    REST="Called over HTTP as resources.",
    GRAPHQL="Called as GraphQL queries and mutations.",
    GRPC="Called as gRPC procedures.",
    EVENTS="Consumed as a stream of published events.",
)
graphql_enum(
    Visibility,
    description="`PUBLIC`: for any team (and customers). `INTERNAL`: for the owning team's "
    "own services; another team consuming it is a boundary violation.",
    PUBLIC="For any team (and customers).",
    INTERNAL="For the owning team's own services; another team consuming it is a "
    "boundary violation.",
)
graphql_enum(
    ApiStatus,
    description="`DEPRECATED` APIs may still be consumed until their sunset; `RETIRED` ones "
    "may not.",
    PUBLISHED="In service; may be consumed.",
    DEPRECATED="Still callable until its sunset; consuming it is a boundary violation.",
    RETIRED="Gone; may not be consumed.",
)
