"""The OpenAPI document, finished where Litestar's generation leaves it short of the
server, for every route at once (no handler repeats any of it):

* ``info.version`` is the installed package's version.
* Routes open to all (``exclude_from_auth``: ``/healthz``, ``/readyz``, ``/problems``,
  the docs) declare ``security: []``, so clients and fuzzers send no token there.
* Every body that refuses unknown fields (``CommandBody`` and any msgspec struct with
  ``forbid_unknown_fields``) is a closed object: ``additionalProperties: false``.
* ``/readyz`` documents its 503 answer with the same readiness body as its 200.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

import msgspec
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.routes import HTTPRoute

PACKAGE = "flywheel"


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
    closed = _closed_structs()
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        short = name.rsplit("_", 1)[-1]
        if schema.get("type") == "object" and (name in closed or short in closed):
            schema["additionalProperties"] = False
    ready = paths.get("/readyz", {}).get("get")
    if ready is not None and "200" in ready.get("responses", {}):
        answer = dict(ready["responses"]["200"])
        answer["description"] = "Not ready: the database, a stalled projection or lag (above)."
        ready["responses"].setdefault("503", answer)
