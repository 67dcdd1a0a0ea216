"""Hooks for the schemathesis run in tests/e2e/test_fuzzing.py (``SCHEMATHESIS_HOOKS``).

* ``GET /api/v1/exports/backstage`` answers a multi-document YAML stream (one entity
  per document, as Backstage reads ``catalog-info.yaml``); ``application/yaml`` allows
  that (RFC 9512), but schemathesis reads a YAML answer as one document and its reading
  thread dies on the second. Read every document instead.
* A removed webhook's delivery record is kept on purpose (auditors read why deliveries
  failed: ``removed_too`` in services/feeds/rest.py), so
  ``GET /api/v1/webhooks/{webhook_id}/deliveries`` answers 200 after the webhook's
  ``DELETE``. ``use_after_free`` is left out for that one operation (schemathesis's
  per-operation setting does not reach its stateful phase) and kept for every other.
"""

from __future__ import annotations

from typing import Any

import schemathesis
import yaml
from schemathesis.checks import CHECKS
from schemathesis.specs.openapi.checks import use_after_free as every_use_after_free

KEPT_AFTER_DELETE = frozenset({"GET /api/v1/webhooks/{webhook_id}/deliveries"})


@schemathesis.deserializer("application/yaml")
def every_yaml_document(_context: Any, response: Any) -> list[Any]:
    return list(yaml.safe_load_all(response.content.decode(response.encoding or "utf-8")))


CHECKS.unregister("use_after_free")  # replaced by the one below


@schemathesis.check
def use_after_free(context: Any, response: Any, case: Any) -> bool | None:
    if case.operation.label in KEPT_AFTER_DELETE:
        return None
    result: bool | None = every_use_after_free(context, response, case)
    return result
