"""The OpenAPI document, finished where Litestar's generation leaves it short of the
server, for every route at once (no handler repeats any of it):

* ``info.version`` is the installed package's version.
* Routes open to all (``exclude_from_auth``: ``/healthz``, ``/readyz``, ``/problems``,
  the docs) declare ``security: []``, so clients and fuzzers send no token there.
* Every body that refuses unknown fields (``CommandBody`` and any msgspec struct with
  ``forbid_unknown_fields``) is a closed object: ``additionalProperties: false``.
* ``/readyz`` documents its 503 answer with the same readiness body as its 200.
* A handler that reads its body itself (a YAML catalog, CSV) declares it with
  ``request_body=`` (an OpenAPI Request Body object), kept in the route's ``opt``.
* Each body's ``schema_rules`` (rules between its fields) join its schema; string
  fields state what text they hold (``services/api/text.py``), list items and map
  values their bounds, and parameters their exact integer bounds.
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
from litestar.handlers import HTTPRouteHandler
from litestar.params import ParameterKwarg
from litestar.routes import HTTPRoute

from services.api import text

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
            for method in handler.http_methods:
                operation = paths[route.path_format].get(method.lower())
                if not isinstance(operation, dict):
                    continue
                if handler.opt.get("exclude_from_auth"):
                    operation["security"] = []
                if "request_body" in handler.opt:  # a body the handler reads itself
                    operation.setdefault("requestBody", handler.opt["request_body"])
                _finish_parameters(operation, handler)
    _bound_dates(document)
    closed = _closed_structs()
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        short = name.rsplit("_", 1)[-1]
        struct = closed.get(name) or closed.get(short)
        if schema.get("type") == "object" and struct is not None:
            schema["additionalProperties"] = False
            schema.update(_with_text_patterns(getattr(struct, "schema_rules", {})))
            _finish_fields(schema, struct)
    ready = paths.get("/readyz", {}).get("get")
    if ready is not None and "200" in ready.get("responses", {}):
        answer = dict(ready["responses"]["200"])
        answer["description"] = "Not ready: the database, a stalled projection or lag (above)."
        ready["responses"].setdefault("503", answer)


def _finish_parameters(operation: dict[str, Any], handler: HTTPRouteHandler) -> None:
    """A parameter's bounds as the handler declares them (Litestar writes them as
    floats, and a bigint's limit, 2^63 - 1, is no float), and the pattern of a string
    parameter marked with a text kind (``Annotated[str, Parameter(...), TEXT]``)."""
    declared = {}
    kinds = {}
    for name, field in handler.parsed_fn_signature.parameters.items():
        kwargs = field.kwarg_definition
        if isinstance(kwargs, ParameterKwarg):
            declared[kwargs.query or kwargs.header or name] = kwargs
        for meta in field.metadata:
            if isinstance(meta, msgspec.Meta) and text.KIND in (meta.extra_json_schema or {}):
                alias = kwargs.query if isinstance(kwargs, ParameterKwarg) else None
                kinds[alias or name] = meta.extra_json_schema[text.KIND]  # type: ignore[index]
    for parameter in operation.get("parameters", []):
        kwargs = declared.get(parameter.get("name"))
        schema = parameter.get("schema", {})
        kind = kinds.get(parameter.get("name"))
        if kind is not None:
            wanted = text.pattern(kind, required=parameter.get("in") == "path")
            if wanted is not None:
                schema["pattern"] = wanted
        if kwargs is None or schema.get("type") != "integer":
            continue
        for keyword, value in (
            ("minimum", kwargs.ge),
            ("maximum", kwargs.le),
            ("exclusiveMinimum", kwargs.gt),
            ("exclusiveMaximum", kwargs.lt),
        ):
            if isinstance(value, int):
                schema[keyword] = value


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


def _finish_fields(schema: dict[str, Any], struct: type[msgspec.Struct]) -> None:
    """State on each field of a closed body what Litestar's schema leaves out, read from
    the field's msgspec type: the bounds of list items and map values, the keys a map
    allows, and what its strings may hold (``services/api/text.py``)."""
    info = msgspec.inspect.type_info(struct)
    if not isinstance(info, msgspec.inspect.StructType):
        return
    properties = schema.get("properties", {})
    for field in info.fields:
        target = properties.get(field.encode_name)
        if isinstance(target, dict):
            _finish(target, field.type)


def _finish(node: dict[str, Any], info: Any, kind: str | None = None) -> None:
    if isinstance(info, msgspec.inspect.Metadata):
        marked = (info.extra_json_schema or {}).get(text.KIND)
        _finish(node, info.type, marked or kind)
        return
    if isinstance(info, msgspec.inspect.UnionType):
        members = node.get("oneOf") or node.get("anyOf") or []
        for each in info.types:
            json_type = _json_type(each)
            member = next((m for m in members if m.get("type") == json_type), None)
            # Litestar states a string's bounds on the union, where they hold for strings.
            _finish(node if json_type == "string" else member or node, each, kind)
        return
    if isinstance(info, msgspec.inspect.StrType):
        _bound(node, minLength=info.min_length, maxLength=info.max_length)
        wanted = text.pattern(kind or "text", required=bool(info.min_length))
        if wanted is not None and "pattern" in node:  # the body's own pattern, and the text's
            node.setdefault("allOf", []).append({"pattern": wanted})
        elif wanted is not None:
            node["pattern"] = wanted
    elif isinstance(info, (msgspec.inspect.IntType, msgspec.inspect.FloatType)):
        _bound(
            node,
            minimum=info.ge,
            maximum=info.le,
            exclusiveMinimum=info.gt,
            exclusiveMaximum=info.lt,
        )
    elif isinstance(info, _SEQUENCES):
        _bound(node, minItems=info.min_length, maxItems=info.max_length)
        if isinstance(node.get("items"), dict):
            _finish(node["items"], info.item_type, kind)
    elif isinstance(info, msgspec.inspect.DictType):
        _bound(node, minProperties=info.min_length, maxProperties=info.max_length)
        if isinstance(info.key_type, msgspec.inspect.EnumType):
            node["propertyNames"] = {
                "type": "string",
                "enum": [member.value for member in info.key_type.cls],
            }
        if isinstance(node.get("additionalProperties"), dict):
            _finish(node["additionalProperties"], info.value_type, kind)


_SEQUENCES = (
    msgspec.inspect.ListType,
    msgspec.inspect.SetType,
    msgspec.inspect.FrozenSetType,
    msgspec.inspect.VarTupleType,
)


def _with_text_patterns(node: Any) -> Any:
    """A copy of ``node`` in which each schema marked with a text kind has its pattern."""
    if isinstance(node, list):
        return [_with_text_patterns(item) for item in node]
    if not isinstance(node, dict):
        return node
    copy = {key: _with_text_patterns(value) for key, value in node.items() if key != text.KIND}
    if text.KIND in node:
        wanted = text.pattern(node[text.KIND], required=bool(node.get("minLength")))
        if wanted is not None:
            copy["pattern"] = wanted
    return copy


def _json_type(info: Any) -> str | None:
    while isinstance(info, msgspec.inspect.Metadata):
        info = info.type
    names = {
        msgspec.inspect.StrType: "string",
        msgspec.inspect.IntType: "integer",
        msgspec.inspect.FloatType: "number",
        msgspec.inspect.BoolType: "boolean",
        msgspec.inspect.NoneType: "null",
        msgspec.inspect.DictType: "object",
    }
    if isinstance(info, _SEQUENCES):
        return "array"
    return next((name for kind, name in names.items() if isinstance(info, kind)), None)


def _bound(node: dict[str, Any], **bounds: int | float | None) -> None:
    for keyword, value in bounds.items():
        if value is not None:
            node.setdefault(keyword, value)
