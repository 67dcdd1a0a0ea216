"""Hooks for the schemathesis run in tests/e2e/test_fuzzing.py (``SCHEMATHESIS_HOOKS``).

``GET /api/v1/exports/backstage`` answers a multi-document YAML stream (one entity per
document, as Backstage reads ``catalog-info.yaml``); ``application/yaml`` allows that
(RFC 9512), but schemathesis reads a YAML answer as one document and its reading
thread dies on the second. Read every document instead.
"""

from __future__ import annotations

from typing import Any

import schemathesis
import yaml


@schemathesis.deserializer("application/yaml")
def every_yaml_document(_context: Any, response: Any) -> list[Any]:
    return list(yaml.safe_load_all(response.content.decode(response.encoding or "utf-8")))
