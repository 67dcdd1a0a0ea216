"""Persisted queries: Apollo's automatic persisted queries (APQ), and an optional
allow-list of trusted documents.

APQ (https://www.apollographql.com/docs/apollo-server/performance/apq): a client
sends ``extensions.persistedQuery = {"version": 1, "sha256Hash": ...}`` without
the query. A hash this server knows runs its query; an unknown one answers
``PERSISTED_QUERY_NOT_FOUND`` (message ``PersistedQueryNotFound``) and the client
sends the query with its hash once, which registers it. The registry is per
process and bounded by the text it holds (least recently used goes first): a
replica that has not seen a hash answers not-found, and the client falls back.

Trusted documents (``FLYWHEEL_TRUSTED_DOCUMENTS``, meant for production): a
manifest of the operations the company's own clients send, either Apollo's
persisted-query manifest (``{"format": "apollo-persisted-query-manifest",
"operations": [{"id", "body", ...}]}``) or GraphQL Codegen's ``{hash: body}``.
With it, only those documents run, by hash or in full; any other answers
``PERSISTED_QUERY_NOT_IN_LIST`` before anything runs, and nothing registers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import Any

from graphql import GraphQLError
from strawberry.http import GraphQLRequestData
from strawberry.http.base import HTTPException
from strawberry.types import ExecutionResult

from services.graphql.errors import PERSISTED_QUERY_NOT_FOUND, PERSISTED_QUERY_NOT_IN_LIST
from services.settings import SettingsError

SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_REGISTERED_CHARS = 16 * 1024 * 1024  # the query text APQ keeps per process


def sha256(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


class TrustedDocumentsError(SettingsError):
    """A trusted-documents manifest Flywheel cannot read."""


def load_trusted_documents(path: str | Path) -> dict[str, str]:
    """The manifest at ``path`` as {sha256 hash: document}; every body is also
    listed under its own SHA-256, so a client may send it in full."""
    try:
        manifest = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise TrustedDocumentsError(f"FLYWHEEL_TRUSTED_DOCUMENTS={path}: {error}") from None
    if isinstance(manifest, dict) and isinstance(manifest.get("operations"), list):
        pairs = [
            (op.get("id"), op.get("body")) for op in manifest["operations"] if isinstance(op, dict)
        ]
    elif isinstance(manifest, dict):
        pairs = list(manifest.items())
    else:
        pairs = []
    documents: dict[str, str] = {}
    for key, body in pairs:
        if not isinstance(key, str) or not isinstance(body, str):
            raise TrustedDocumentsError(
                f"FLYWHEEL_TRUSTED_DOCUMENTS={path}: expected an Apollo persisted-query manifest "
                "or an object of {hash: document}"
            )
        documents[key] = body
        documents[sha256(body)] = body
    if not documents:
        raise TrustedDocumentsError(f"FLYWHEEL_TRUSTED_DOCUMENTS={path}: lists no documents")
    return documents


def _refusal(message: str, code: str) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])


class PersistedQueries:
    def __init__(self, trusted: dict[str, str] | None = None) -> None:
        self.trusted = trusted
        self._registered: OrderedDict[str, str] = OrderedDict()
        self._chars = 0

    def resolve(self, request: GraphQLRequestData) -> GraphQLRequestData | ExecutionResult:
        """The request with its query filled in from its hash, or the refusal to answer."""
        wanted = _persisted_hash(request.extensions)
        if wanted is None:
            if self.trusted is not None and (
                request.query is None or sha256(request.query) not in self.trusted
            ):
                return _refusal(
                    "This server runs only its trusted documents; this one is not among them",
                    PERSISTED_QUERY_NOT_IN_LIST,
                )
            return request
        if request.query is not None:
            if sha256(request.query) != wanted:
                raise HTTPException(400, "provided sha does not match query")
            if self.trusted is not None:
                if wanted not in self.trusted:
                    return _refusal(
                        "This server runs only its trusted documents; this one is not among them",
                        PERSISTED_QUERY_NOT_IN_LIST,
                    )
            else:
                self._register(wanted, request.query)
            return request
        query = self.trusted.get(wanted) if self.trusted is not None else self._lookup(wanted)
        if query is None:
            if self.trusted is not None:
                return _refusal("No trusted document has this hash", PERSISTED_QUERY_NOT_IN_LIST)
            return _refusal("PersistedQueryNotFound", PERSISTED_QUERY_NOT_FOUND)
        return replace(request, query=query)

    def _lookup(self, key: str) -> str | None:
        query = self._registered.get(key)
        if query is not None:
            self._registered.move_to_end(key)
        return query

    def _register(self, key: str, query: str) -> None:
        if key in self._registered or len(query) > MAX_REGISTERED_CHARS:
            return
        self._registered[key] = query
        self._chars += len(query)
        while self._chars > MAX_REGISTERED_CHARS:
            _, dropped = self._registered.popitem(last=False)
            self._chars -= len(dropped)


def _persisted_hash(extensions: dict[str, Any] | None) -> str | None:
    if not extensions or "persistedQuery" not in extensions:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise HTTPException(
            400, "extensions.persistedQuery must be {version: 1, sha256Hash: <hex>}"
        )
    wanted = persisted.get("sha256Hash")
    if not isinstance(wanted, str) or not SHA256.fullmatch(wanted):
        raise HTTPException(
            400, "extensions.persistedQuery.sha256Hash must be 64 lowercase hex digits"
        )
    return wanted
