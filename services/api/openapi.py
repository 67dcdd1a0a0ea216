"""The OpenAPI document, finished where Litestar's generation leaves it short of the
server, for every route at once (no handler repeats any of it):

* ``info.version`` is the installed package's version.
* Routes open to all (``exclude_from_auth``: ``/healthz``, ``/readyz``, ``/problems``,
  the docs) declare ``security: []``, so clients and fuzzers send no token there.
* Every body that refuses unknown fields (``CommandBody`` and any msgspec struct with
  ``forbid_unknown_fields``) is a closed object: ``additionalProperties: false``.
* ``/readyz`` documents its 503 answer with the same readiness body as its 200.
* A map keyed by an enum (a headcount's functions) names the keys allowed
  (``propertyNames``) and its values' bounds, which Litestar's schema leaves out.
* Dates and date-times state the years the server accepts (1900 to 2199,
  ``services/dates.py``) as a pattern, and a date-time is RFC 3339 with an offset.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

import msgspec
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.routes import HTTPRoute

PACKAGE = "flywheel"

YEAR = "(19|20|21)[0-9]{2}"  # FIRST_YEAR to LAST_YEAR in services/dates.py
DAY = "(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
DATE_PATTERN = f"^{YEAR}-{DAY}$"
DATE_TIME_PATTERN = (
    f"^{YEAR}-{DAY}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{{1,6}})?"
    "(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)


def package_version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return "0.0.0"


def _closed_structs() -> dict[str, type[msgspec.Struct]]:
    found: dict[str, type[msgspec.Struct]] = {}
    pending: list[type[msgspec.Struct]] = [msgspec.Struct]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        config = getattr(cls, "__struct_config__", None)
        if config is not None and config.forbid_unknown_fields:
            found[cls.__name__] = cls
    return found


def finish_openapi(app: Litestar) -> None:
    """Finish the document Litestar built (it is built once and kept): run at start-up,
    before the first request serves it."""
    document = app.plugins.get(OpenAPIPlugin).provide_openapi_schema()
    finish_document(document, app)


def finish_document(document: dict[str, Any], app: Litestar) -> None:
    document["info"]["version"] = package_version()
    paths: dict[str, dict[str, Any]] = document.get("paths", {})
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path_format not in paths:
            continue
        for handler in route.route_handlers:
            if not handler.opt.get("exclude_from_auth"):
                continue
            for method in handler.http_methods:
                operation = paths[route.path_format].get(method.lower())
                if isinstance(operation, dict):
                    operation["security"] = []
    _bound_dates(document)
    closed = _closed_structs()
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        short = name.rsplit("_", 1)[-1]
        struct = closed.get(name) or closed.get(short)
        if schema.get("type") == "object" and struct is not None:
            schema["additionalProperties"] = False
            _state_map_keys(schema, struct)
    ready = paths.get("/readyz", {}).get("get")
    if ready is not None and "200" in ready.get("responses", {}):
        answer = dict(ready["responses"]["200"])
        answer["description"] = "Not ready: the database, a stalled projection or lag (above)."
        ready["responses"].setdefault("503", answer)


def _bound_dates(node: Any) -> None:
    """Give every date and date-time schema the pattern of the years the server takes;
    a string parameter described as a time in those years becomes a date-time."""
    if isinstance(node, list):
        for item in node:
            _bound_dates(item)
        return
    if not isinstance(node, dict):
        return
    described = str(node.get("description", ""))
    if node.get("type") == "string" and "years between 1900 and 2199" in described:
        node.setdefault("format", "date-time" if "time" in described else "date")
    if node.get("type") == "string" and node.get("format") == "date":
        node.setdefault("pattern", DATE_PATTERN)
    if node.get("type") == "string" and node.get("format") == "date-time":
        node.setdefault("pattern", DATE_TIME_PATTERN)
    if "oneOf" in node and "years between 1900 and 2199" in described:
        for member in node["oneOf"]:
            if isinstance(member, dict) and member.get("type") == "string":
                member.setdefault("format", "date-time" if "time" in described else "date")
    for value in node.values():
        _bound_dates(value)


def _state_map_keys(schema: dict[str, Any], struct: type[msgspec.Struct]) -> None:
    info = msgspec.inspect.type_info(struct)
    if not isinstance(info, msgspec.inspect.StructType):
        return
    properties = schema.get("properties", {})
    for field in info.fields:
        mapping = field.type
        if isinstance(mapping, msgspec.inspect.Metadata):  # Annotated with a description
            mapping = mapping.type
        if isinstance(mapping, msgspec.inspect.UnionType):
            mapping = next(
                (t for t in mapping.types if isinstance(t, msgspec.inspect.DictType)), mapping
            )
        target = properties.get(field.encode_name)
        if not isinstance(mapping, msgspec.inspect.DictType) or not isinstance(target, dict):
            continue
        if isinstance(mapping.key_type, msgspec.inspect.EnumType):
            target["propertyNames"] = {
                "type": "string",
                "enum": [member.value for member in mapping.key_type.cls],
            }
        values = mapping.value_type
        if isinstance(values, msgspec.inspect.Metadata):
            values = values.type
        bounds = target.get("additionalProperties")
        if isinstance(values, msgspec.inspect.IntType) and isinstance(bounds, dict):
            if values.ge is not None:
                bounds["minimum"] = values.ge
            if values.le is not None:
                bounds["maximum"] = values.le
