"""The webhooks' own tables, beside the event store (not views: a rebuild of the views
must not forget a secret or deliver again what an endpoint acknowledged).

- ``webhook_secrets``: each endpoint's signing secrets, by the opaque id its events
  record. Outside the log, so that neither the log, its exports nor
  ``/api/v1/events`` ever hold a secret; removing an endpoint deletes them.
- ``webhook_cursors``: per endpoint, the last log position it acknowledged, and its
  run of failures (how many, since when, when to try next).
- ``webhook_deliveries``: every attempt, with its status and timing.
"""

from __future__ import annotations

SECRETS = "webhook_secrets"
CURSORS = "webhook_cursors"
DELIVERIES = "webhook_deliveries"


def webhook_ddl(schema: str) -> list[str]:
    return [
        f'CREATE TABLE IF NOT EXISTS "{schema}".{SECRETS} ('
        "endpoint_id uuid NOT NULL, secret_id text NOT NULL, secret text NOT NULL, "
        "created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (endpoint_id, secret_id))",
        f'CREATE TABLE IF NOT EXISTS "{schema}".{CURSORS} ('
        "endpoint_id uuid PRIMARY KEY, position bigint NOT NULL, "
        "failures integer NOT NULL DEFAULT 0, failing_since timestamptz, "
        "next_attempt_at timestamptz, updated_at timestamptz NOT NULL DEFAULT now())",
        f'CREATE TABLE IF NOT EXISTS "{schema}".{DELIVERIES} ('
        "id bigserial PRIMARY KEY, endpoint_id uuid NOT NULL, position bigint NOT NULL, "
        "message_id text NOT NULL, event_type text NOT NULL, attempt integer NOT NULL, "
        "attempted_at timestamptz NOT NULL, duration_ms integer NOT NULL, status integer, "
        "delivered boolean NOT NULL, error text)",
        f"CREATE INDEX IF NOT EXISTS {DELIVERIES}_endpoint_idx "
        f'ON "{schema}".{DELIVERIES} (endpoint_id, id)',
    ]
