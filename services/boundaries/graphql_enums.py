"""The API boundary enums, registered as GraphQL enums once.

Import them from here rather than from :mod:`domain.boundaries`: importing this
module is what registers them (with their descriptions) before any type uses them.
"""

from __future__ import annotations

import strawberry

from domain.boundaries import ApiKind, ApiStatus, ServiceStatus, Visibility

__all__ = ["ApiKind", "ApiStatus", "ServiceStatus", "Visibility"]

strawberry.enum(ServiceStatus)
strawberry.enum(ApiKind, description="How an API is called.")
strawberry.enum(
    Visibility,
    description="`PUBLIC`: for any team (and customers). `INTERNAL`: for the owning team's "
    "own services; another team consuming it is a boundary violation.",
)
strawberry.enum(
    ApiStatus,
    description="`DEPRECATED` APIs may still be consumed until their sunset; `RETIRED` ones "
    "may not.",
)
