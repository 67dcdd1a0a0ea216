"""Backstage catalogs the tests import: a small company in several files."""

from __future__ import annotations

from pathlib import Path

ROOT = """\
apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: company
spec:
  targets:
    - ./org/groups.yaml
    - ./org/users.yaml
    - ./systems/payments.yaml
"""

GROUPS = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: engineering
  description: Build the product
  annotations:
    flywheel.dev/leader: user:carol
spec:
  type: department
  profile:
    displayName: Engineering
  children: [payments, ledger]
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
  annotations:
    flywheel.dev/leader: alice@example.com
spec:
  type: team
  parent: engineering
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: ledger
  annotations:
    flywheel.dev/leader: dave@example.com
spec:
  type: team
  parent: group:default/engineering
  children: []
"""

USERS = """\
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: alice
spec:
  profile: {email: alice@example.com}
  memberOf: [payments]
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: bob
  annotations:
    flywheel.dev/function: PRODUCT
    flywheel.dev/attachment: DEDICATED
spec:
  profile: {email: bob@example.com}
  memberOf: [payments]
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: carol
spec:
  profile: {email: carol@example.com}
  memberOf: [engineering]
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: erin
spec:
  profile: {email: erin@example.com}
  memberOf: [ledger, payments]
"""

PAYMENTS = """\
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: money
spec:
  owner: engineering
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  description: Takes payments
spec:
  type: service
  lifecycle: production
  owner: payments
  providesApis: [checkout-api]
  consumesApis: [ledger-events]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger-writer
spec:
  type: service
  lifecycle: production
  owner: group:ledger
  providesApis: [api:default/ledger-events]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: checkout-api
  annotations:
    flywheel.dev/visibility: PUBLIC
    flywheel.dev/api-version: v2
spec:
  type: openapi
  lifecycle: production
  owner: payments
  definition: "openapi: 3.0.0"
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: ledger-events
spec:
  type: asyncapi
  lifecycle: production
  owner: ledger
  definition: "asyncapi: 2.0.0"
"""

FILES = {
    "catalog-info.yaml": ROOT,
    "org/groups.yaml": GROUPS,
    "org/users.yaml": USERS,
    "systems/payments.yaml": PAYMENTS,
}


def write_catalog(root: Path, files: dict[str, str] | None = None) -> Path:
    """The catalog's files under ``root``; answers the root ``catalog-info.yaml``."""
    for name, text in (files or FILES).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "catalog-info.yaml"


def all_documents() -> str:
    """Every entity but the Location, as one multi-document body."""
    return "---\n".join([GROUPS, USERS, PAYMENTS])
