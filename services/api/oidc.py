"""Bearer tokens from the company's OpenID Connect provider (Okta, Entra ID, Google, Keycloak).

The provider is found by discovery (``<issuer>/.well-known/openid-configuration``),
its signing keys read from the ``jwks_uri`` it names and kept: fetched again when
they grow old, and when a token names a key id the cached set does not hold (the
provider rotated its keys), but at most once per ``FLYWHEEL_OIDC_JWKS_MIN_REFRESH``
seconds, so tokens with made-up key ids cannot make Flywheel hammer the provider.
A token is accepted only if signed with RS256 or ES256 by one of those keys, issued
by the configured issuer, for the configured audience, and unexpired. The
person's handle comes from one claim (``email`` by default), their roles from
another (``groups``), mapped to Flywheel's roles by ``FLYWHEEL_OIDC_ROLE_MAP``.

The HS256 tokens of ``flywheel token`` stay accepted beside these unless
``FLYWHEEL_LOCAL_TOKENS=false`` (see docs/SECURITY.md).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

import jwt
from litestar.exceptions import NotAuthorizedException
from litestar.security.jwt import Token

from services.principal import Role
from services.settings import Settings

log = logging.getLogger(__name__)

ALGORITHMS = ("RS256", "ES256")
FETCH_TIMEOUT_SECONDS = 5.0
MAX_DOCUMENT_BYTES = 1_048_576
LEEWAY_SECONDS = 30

FetchJson = Callable[[str], Mapping[str, Any]]


class OidcUnavailable(RuntimeError):
    """The provider's discovery document or keys could not be read."""


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def check_provider_url(url: str, *, production: bool) -> None:
    """``https``, or ``http`` to a loopback address outside production; else ``ValueError``."""
    scheme = urlsplit(url).scheme
    if scheme == "https" or (scheme == "http" and is_loopback(url) and not production):
        return
    raise ValueError(f"{url}: the provider must be reached over https")


def fetch_json(url: str) -> Mapping[str, Any]:
    """A JSON document over HTTP(S), with a timeout and a size limit."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - https checked at start-up
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as answer:  # noqa: S310
            body = answer.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as error:
        raise OidcUnavailable(f"cannot read {url}: {error}") from None
    if len(body) > MAX_DOCUMENT_BYTES:
        raise OidcUnavailable(f"{url} answered more than {MAX_DOCUMENT_BYTES} bytes")
    try:
        document = json.loads(body)
    except ValueError:
        raise OidcUnavailable(f"{url} did not answer JSON") from None
    if not isinstance(document, dict):
        raise OidcUnavailable(f"{url} did not answer a JSON object")
    return document


def parse_role_map(text: str) -> dict[str, frozenset[Role]]:
    """``"platform-leads=leadership,planners=planner,eng=member"``: claim value → roles
    (a value named twice gets both roles). Raises ``ValueError`` for an unknown role."""
    mapping: dict[str, set[Role]] = {}
    for pair in text.split(","):
        if not pair.strip():
            continue
        value, sep, role = pair.rpartition("=")
        if not sep or not value.strip():
            raise ValueError(f"{pair.strip()!r} is not claim-value=role")
        mapping.setdefault(value.strip(), set()).add(Role(role.strip().lower()))
    return {value: frozenset(roles) for value, roles in mapping.items()}


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    """A claim by name, or by a dotted path into nested claims (``realm_access.roles``)."""
    if path in claims:
        return claims[path]
    node: Any = claims
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    audience: str
    roles_claim: str = "groups"
    role_map: Mapping[str, frozenset[Role]] | None = None  # None: values are role names
    handle_claim: str = "email"
    algorithms: Sequence[str] = ALGORITHMS
    jwks_max_age_seconds: float = 3600.0
    jwks_min_refresh_seconds: float = 60.0


class OidcVerifier:
    """Verifies the provider's tokens; keeps its discovery document and keys."""

    def __init__(
        self,
        config: OidcConfig,
        *,
        fetch: FetchJson = fetch_json,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._jwks_uri: str | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self.fetches = 0  # how often the keys were fetched (for metrics and tests)

    def issued(self, encoded: str) -> bool:
        """Whether the token says it comes from this provider (before any check)."""
        try:
            claims = jwt.decode(encoded, options={"verify_signature": False})
        except jwt.InvalidTokenError:
            return False
        return claims.get("iss") == self.config.issuer

    def _discover(self) -> str:
        if self._jwks_uri is None:
            url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
            document = self._fetch(url)
            if document.get("issuer") != self.config.issuer:
                raise OidcUnavailable(
                    f"{url} names issuer {document.get('issuer')!r}, not {self.config.issuer!r}"
                )
            jwks_uri = document.get("jwks_uri")
            if not isinstance(jwks_uri, str):
                raise OidcUnavailable(f"{url} names no jwks_uri")
            self._jwks_uri = jwks_uri
        return self._jwks_uri

    def _refresh(self) -> None:
        document = self._fetch(self._discover())
        keys: dict[str, jwt.PyJWK] = {}
        for raw in document.get("keys", []) if isinstance(document.get("keys"), list) else []:
            if not isinstance(raw, dict) or raw.get("use", "sig") != "sig" or "kid" not in raw:
                continue
            try:
                keys[str(raw["kid"])] = jwt.PyJWK(raw)
            except jwt.PyJWKError as error:
                log.warning("skipping key %s of the OIDC provider: %s", raw.get("kid"), error)
        self._keys = keys
        self._fetched_at = self._clock()
        self.fetches += 1

    def prefetch(self) -> bool:
        """Read the discovery document and keys now (at start-up, before the event loop
        serves requests, whose decoding would otherwise wait for the first fetch)."""
        with self._lock:
            try:
                self._refresh()
            except OidcUnavailable as error:
                log.warning("OIDC provider unavailable at start-up: %s", error)
                return False
        return True

    def key(self, kid: str) -> jwt.PyJWK:
        """The signing key ``kid``, fetching the key set when it is old or lacks the key
        (at most once per the minimum refresh interval)."""
        with self._lock:
            now = self._clock()
            stale = (
                self._fetched_at is None
                or now - self._fetched_at >= self.config.jwks_max_age_seconds
            )
            may_refetch = (
                self._fetched_at is None
                or now - self._fetched_at >= self.config.jwks_min_refresh_seconds
            )
            if stale or (kid not in self._keys and may_refetch):
                try:
                    self._refresh()
                except OidcUnavailable as error:
                    log.warning("OIDC provider unavailable: %s", error)
                    if not self._keys:
                        raise NotAuthorizedException(
                            "The identity provider's keys cannot be read"
                        ) from None
            found = self._keys.get(kid)
        if found is None:
            raise NotAuthorizedException(f"The token is signed with an unknown key ({kid})")
        return found

    def verify(self, encoded: str) -> dict[str, Any]:
        """The token's claims once its signature, issuer, audience and expiry check out."""
        try:
            header = jwt.get_unverified_header(encoded)
        except jwt.InvalidTokenError:
            raise NotAuthorizedException("Invalid token") from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self.config.algorithms:
            raise NotAuthorizedException(f"Tokens signed with {algorithm} are not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise NotAuthorizedException("The token names no key id (kid)")
        key = self.key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                encoded,
                key.key,
                algorithms=[algorithm],
                audience=self.config.audience,
                issuer=self.config.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.InvalidTokenError as error:
            raise NotAuthorizedException(f"Invalid token: {error}") from None
        return claims

    def roles(self, claims: Mapping[str, Any]) -> list[str]:
        value = _claim(claims, self.config.roles_claim)
        values = value.split() if isinstance(value, str) else value
        if not isinstance(values, list):
            return []
        roles: set[Role] = set()
        for item in values:
            if not isinstance(item, str):
                continue
            if self.config.role_map is None:
                if item.lower() in {role.value for role in Role}:
                    roles.add(Role(item.lower()))
            else:
                roles |= self.config.role_map.get(item, frozenset())
        return sorted(role.value for role in roles)

    def token(self, encoded: str) -> Token:
        """A Litestar token for a verified provider token: the handle as ``sub``, the
        mapped roles as ``roles``."""
        claims = self.verify(encoded)
        handle = _claim(claims, self.config.handle_claim)
        if not isinstance(handle, str) or not handle.strip():
            raise NotAuthorizedException(
                f"The token has no `{self.config.handle_claim}` claim to name the person"
            )
        return Token(
            exp=datetime.fromtimestamp(claims["exp"], UTC),
            sub=handle,
            iat=datetime.fromtimestamp(claims.get("iat", time.time()), UTC),
            iss=claims["iss"],
            extras={"roles": self.roles(claims), "idp_subject": claims["sub"]},
        )


def verifier_for(settings: Settings) -> OidcVerifier | None:
    """The provider's verifier the settings describe, if any (checked by load_settings)."""
    if settings.oidc_issuer is None or settings.oidc_audience is None:
        return None
    role_map = parse_role_map(settings.oidc_role_map)
    return OidcVerifier(
        OidcConfig(
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
            roles_claim=settings.oidc_roles_claim,
            role_map=role_map or None,
            handle_claim=settings.oidc_handle_claim,
            jwks_max_age_seconds=settings.oidc_jwks_max_age_seconds,
            jwks_min_refresh_seconds=settings.oidc_jwks_min_refresh_seconds,
        )
    )


def token_class(verifier: OidcVerifier | None, *, local_tokens: bool) -> type[Token]:
    """The token class the JWT middleware decodes with: the provider's tokens through
    ``verifier``, the rest as local HS256 tokens (unless those are turned off)."""
    if verifier is None:
        return Token
    provider: OidcVerifier = verifier

    class ProviderOrLocalToken(Token):
        @classmethod
        def decode(  # type: ignore[override]
            cls, encoded_token: str, *args: Any, **kwargs: Any
        ) -> Token:
            if provider.issued(encoded_token):
                return provider.token(encoded_token)
            if not local_tokens:
                raise NotAuthorizedException(
                    "Only tokens from the identity provider are accepted here"
                )
            return Token.decode(encoded_token, *args, **kwargs)

    return ProviderOrLocalToken
