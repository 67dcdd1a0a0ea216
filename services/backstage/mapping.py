"""What the catalog does not say: a team's leader, a member's function and attachment,
an API's version, kind and visibility; from annotations or a mapping file, with
documented defaults (docs/BACKSTAGE.md)."""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from typing import Any

import yaml

from domain.boundaries import ApiKind, Visibility
from domain.errors import InvalidValue
from domain.org.team import Attachment
from domain.people.values import Function

ANNOTATION = "flywheel.dev"
LEADER = f"{ANNOTATION}/leader"
HANDLE = f"{ANNOTATION}/handle"
FUNCTION = f"{ANNOTATION}/function"
ATTACHMENT = f"{ANNOTATION}/attachment"
MEMBERSHIPS = f"{ANNOTATION}/memberships"
API_VERSION = f"{ANNOTATION}/api-version"
API_KIND = f"{ANNOTATION}/api-kind"
VISIBILITY = f"{ANNOTATION}/visibility"
TEAM_ID = f"{ANNOTATION}/team-id"
SERVICE_ID = f"{ANNOTATION}/service-id"
API_ID = f"{ANNOTATION}/api-id"

# Backstage's API types (spec.type) that name a Flywheel API kind.
API_TYPES: dict[str, ApiKind] = {
    "openapi": ApiKind.REST,
    "graphql": ApiKind.GRAPHQL,
    "grpc": ApiKind.GRPC,
    "asyncapi": ApiKind.EVENTS,
}


@dataclass(frozen=True)
class Defaults:
    function: Function = Function.ENGINEERING
    attachment: Attachment = Attachment.REPORTS
    visibility: Visibility = Visibility.INTERNAL
    api_version: str = "v1"


@dataclass(frozen=True)
class Mapping:
    """A mapping file: ``leaders`` (group ref → handle), ``members`` (user ref →
    ``{function, attachment}``), ``apis`` (api ref → ``{version, kind, visibility}``),
    ``defaults``. Its values win over the entities' annotations."""

    leaders: dict[str, str] = field(default_factory=dict)
    members: dict[str, dict[str, str]] = field(default_factory=dict)
    apis: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: Defaults = Defaults()


def _section(raw: MappingType[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name) or {}
    if not isinstance(value, MappingType):
        raise InvalidValue("mapping", f"`{name}` in the mapping file must be a mapping")
    return {str(key).casefold(): item for key, item in value.items()}


def _fields(section: dict[str, Any], name: str) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {}
    for key, value in section.items():
        if not isinstance(value, MappingType):
            raise InvalidValue("mapping", f"`{name}.{key}` in the mapping file must be a mapping")
        result[key] = {str(k): str(v) for k, v in value.items()}
    return result


def parse_mapping(text: str) -> Mapping:
    """A mapping file's YAML; refused with ``InvalidValue`` when malformed."""
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise InvalidValue("mapping", f"the mapping file is not valid YAML: {error}") from None
    if not isinstance(raw, MappingType):
        raise InvalidValue("mapping", "the mapping file must be a mapping")
    defaults = _section(raw, "defaults")
    try:
        chosen = Defaults(
            function=Function(defaults.get("function", Defaults.function.value)),
            attachment=Attachment(defaults.get("attachment", Defaults.attachment.value)),
            visibility=Visibility(defaults.get("visibility", Defaults.visibility.value)),
            api_version=str(defaults.get("apiversion", Defaults.api_version)),
        )
    except ValueError as error:
        raise InvalidValue("mapping", f"`defaults` in the mapping file: {error}") from None
    return Mapping(
        leaders={key: str(value) for key, value in _section(raw, "leaders").items()},
        members=_fields(_section(raw, "members"), "members"),
        apis=_fields(_section(raw, "apis"), "apis"),
        defaults=chosen,
    )
