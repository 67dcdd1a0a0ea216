"""The org and its boundaries as Backstage catalog entities.

:func:`catalog_entities` is pure: the current teams, members, services, APIs and
dependencies in, ``Group``/``User``/``Component``/``API`` entities out, valid
against the entity schemas of ``@backstage/catalog-model``, with annotations that
link back to Flywheel and that the import reads, so that importing the export into
an empty Flywheel yields the same org and boundaries. :func:`read_snapshot`
reads the current views.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import yaml

from projections.reading import ReadSession
from services.backstage import mapping as keys

API_VERSION = "backstage.io/v1alpha1"
MAX_NAME = 63
# Flywheel API kinds as Backstage API types.
API_TYPES = {"REST": "openapi", "GRAPHQL": "graphql", "GRPC": "grpc", "EVENTS": "asyncapi"}


@dataclass(frozen=True)
class TeamRow:
    id: UUID
    name: str
    mission: str
    leader: str
    parent_id: UUID | None


@dataclass(frozen=True)
class MemberRow:
    team_id: UUID
    person: str
    function: str
    attachment: str


@dataclass(frozen=True)
class ServiceRow:
    id: UUID
    name: str
    description: str
    owner_team_id: UUID


@dataclass(frozen=True)
class ApiRow:
    id: UUID
    service_id: UUID
    name: str
    version: str
    kind: str
    visibility: str
    status: str


@dataclass(frozen=True)
class Snapshot:
    teams: Sequence[TeamRow] = ()
    members: Sequence[MemberRow] = ()
    services: Sequence[ServiceRow] = ()
    apis: Sequence[ApiRow] = ()
    dependencies: Sequence[tuple[UUID, UUID]] = ()  # (service, api)
    position: int = 0


def entity_name(text: str) -> str:
    """A Backstage ``metadata.name``: letters and digits separated by ``-``, ``_`` or ``.``,
    at most 63 characters."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:MAX_NAME].strip("-")
    return name or "unnamed"


@dataclass
class _Names:
    """Unique entity names per kind: a second 'Payments!' becomes ``payments-2``."""

    taken: dict[str, set[str]] = field(default_factory=dict)

    def claim(self, kind: str, text: str) -> str:
        used = self.taken.setdefault(kind, set())
        base = entity_name(text)
        name, n = base, 1
        while name in used:
            n += 1
            suffix = f"-{n}"
            name = base[: MAX_NAME - len(suffix)] + suffix
        used.add(name)
        return name


def _metadata(name: str, title: str, annotations: dict[str, str], **more: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": "default"}
    if title != name:
        metadata["title"] = title
    metadata.update({key: value for key, value in more.items() if value})
    metadata["annotations"] = annotations
    return metadata


def catalog_entities(snapshot: Snapshot) -> list[dict[str, Any]]:
    names = _Names()
    team_names = {team.id: names.claim("group", team.name) for team in snapshot.teams}
    people = sorted({team.leader for team in snapshot.teams} | {m.person for m in snapshot.members})
    user_names = {person: names.claim("user", person) for person in people}
    service_names = {
        service.id: names.claim("component", service.name) for service in snapshot.services
    }
    live_apis = [api for api in snapshot.apis if api.service_id in service_names]
    api_names = {api.id: names.claim("api", f"{api.name}-{api.version}") for api in live_apis}
    owner_of_service = {service.id: service.owner_team_id for service in snapshot.services}

    entities: list[dict[str, Any]] = []
    for team in snapshot.teams:
        children = [team_names[t.id] for t in snapshot.teams if t.parent_id == team.id]
        members = sorted(
            {user_names[team.leader]}
            | {user_names[m.person] for m in snapshot.members if m.team_id == team.id}
        )
        spec: dict[str, Any] = {
            "type": "team",
            "profile": {"displayName": team.name},
            "children": [f"group:default/{child}" for child in sorted(children)],
            "members": [f"user:default/{member}" for member in members],
        }
        if team.parent_id is not None and team.parent_id in team_names:
            spec["parent"] = f"group:default/{team_names[team.parent_id]}"
        entities.append(
            {
                "apiVersion": API_VERSION,
                "kind": "Group",
                "metadata": _metadata(
                    team_names[team.id],
                    team_names[team.id],
                    {keys.TEAM_ID: str(team.id), keys.LEADER: team.leader},
                    description=team.mission,
                ),
                "spec": spec,
            }
        )
    for person in people:
        memberships = {
            f"group:default/{team_names[m.team_id]}": {
                "function": m.function,
                "attachment": m.attachment,
            }
            for m in snapshot.members
            if m.person == person and m.team_id in team_names
        }
        groups = set(memberships) | {
            f"group:default/{team_names[t.id]}" for t in snapshot.teams if t.leader == person
        }
        spec = {"memberOf": sorted(groups)}
        if "@" in person:
            spec["profile"] = {"email": person}
        annotations = {keys.HANDLE: person}
        if memberships:
            annotations[keys.MEMBERSHIPS] = json.dumps(memberships, sort_keys=True)
        entities.append(
            {
                "apiVersion": API_VERSION,
                "kind": "User",
                "metadata": _metadata(user_names[person], user_names[person], annotations),
                "spec": spec,
            }
        )
    for service in snapshot.services:
        provided = [api for api in live_apis if api.service_id == service.id]
        consumed = [api_id for svc, api_id in snapshot.dependencies if svc == service.id]
        entities.append(
            {
                "apiVersion": API_VERSION,
                "kind": "Component",
                "metadata": _metadata(
                    service_names[service.id],
                    service.name,
                    {keys.SERVICE_ID: str(service.id)},
                    description=service.description,
                ),
                "spec": {
                    "type": "service",
                    "lifecycle": "production",
                    "owner": f"group:default/{team_names[service.owner_team_id]}",
                    "providesApis": sorted(f"api:default/{api_names[a.id]}" for a in provided),
                    "consumesApis": sorted(
                        f"api:default/{api_names[a]}" for a in consumed if a in api_names
                    ),
                },
            }
        )
    for api in live_apis:
        entities.append(
            {
                "apiVersion": API_VERSION,
                "kind": "API",
                "metadata": _metadata(
                    api_names[api.id],
                    api.name,
                    {
                        keys.API_ID: str(api.id),
                        keys.API_VERSION: api.version,
                        keys.API_KIND: api.kind,
                        keys.VISIBILITY: api.visibility,
                    },
                ),
                "spec": {
                    "type": API_TYPES.get(api.kind, api.kind.lower()),
                    "lifecycle": "deprecated" if api.status == "DEPRECATED" else "production",
                    "owner": f"group:default/{team_names[owner_of_service[api.service_id]]}",
                    "definition": f"Flywheel keeps no definition of {api.name} {api.version}",
                },
            }
        )
    return entities


def catalog_yaml(snapshot: Snapshot) -> str:
    """The entities as one multi-document ``catalog-info.yaml``."""
    return yaml.safe_dump_all(catalog_entities(snapshot), sort_keys=False, allow_unicode=True)


async def read_snapshot(db: ReadSession) -> Snapshot:
    """The current active teams, members, services, APIs and dependencies."""
    teams = await db.fetch(
        "SELECT id, name, mission, leader, parent_id FROM {views}.teams "
        "WHERE valid_to IS NULL AND status = 'ACTIVE' ORDER BY name, id"
    )
    active = {row["id"] for row in teams}
    members = await db.fetch(
        "SELECT team_id, person, function, attachment FROM {views}.team_members "
        "WHERE valid_to IS NULL ORDER BY team_id, person"
    )
    services = await db.fetch(
        "SELECT id, name, description, owner_team_id FROM {views}.services "
        "WHERE valid_to IS NULL AND status = 'ACTIVE' ORDER BY name, id"
    )
    apis = await db.fetch(
        "SELECT id, service_id, name, version, kind, visibility, status FROM {views}.apis "
        "WHERE valid_to IS NULL AND status <> 'RETIRED' ORDER BY name, version, id"
    )
    dependencies = await db.fetch(
        "SELECT service_id, api_id FROM {views}.service_dependencies "
        "WHERE valid_to IS NULL ORDER BY service_id, api_id"
    )
    return Snapshot(
        teams=[TeamRow(**dict(row)) for row in teams],
        members=[MemberRow(**dict(row)) for row in members if row["team_id"] in active],
        services=[ServiceRow(**dict(row)) for row in services if row["owner_team_id"] in active],
        apis=[ApiRow(**dict(row)) for row in apis],
        dependencies=[(row["service_id"], row["api_id"]) for row in dependencies],
        position=db.position,
    )
