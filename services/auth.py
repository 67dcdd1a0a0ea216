"""Bearer JWTs: who the caller is and which roles they hold.

Local tokens are HS256 JWTs with the person as ``sub`` and a ``roles`` claim. The
secret comes from ``FLYWHEEL_JWT_SECRET``, or is generated once into the data
directory so that ``flywheel token`` and ``flywheel serve`` on one machine agree.
With ``FLYWHEEL_OIDC_ISSUER`` set, tokens from the company's OpenID Connect
provider are accepted too (:mod:`services.api.oidc`), decoded by the token class
the middleware is given.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import jwt
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.authentication import AuthenticationResult
from litestar.security.jwt import JWTAuth, JWTAuthenticationMiddleware, Token
from litestar.types import Scope

from domain.errors import InvalidValue
from domain.people.values import person_id
from services.api.oidc import OidcVerifier, ProviderRefusal, token_class
from services.principal import Principal, Role
from services.private_files import kept_once
from services.settings import Settings

ALGORITHM = "HS256"
ISSUER = "flywheel"
SECRET_FILE = "jwt-secret"  # noqa: S105 - a file name, not a secret


def jwt_secret(settings: Settings) -> str:
    """The configured secret, else the one kept in the data dir (created on first use)."""
    if settings.jwt_secret:
        return settings.jwt_secret
    return kept_once(settings.data_path / SECRET_FILE, lambda: secrets.token_urlsafe(48))


def mint_token(
    secret: str,
    subject: str,
    roles: list[Role],
    *,
    ttl: timedelta = timedelta(hours=12),
    issuer: str = ISSUER,
) -> str:
    """A token for ``subject`` (checked as a handle) valid for ``ttl`` from now."""
    now = datetime.now(UTC)
    return signed_token(
        secret, person_id(subject, field="subject"), roles, issuer, issued=now, expires=now + ttl
    )


def signed_token(
    secret: str,
    subject: str,
    roles: list[Role],
    issuer: str,
    *,
    issued: datetime,
    expires: datetime,
) -> str:
    claims = {
        "sub": subject,
        "roles": [role.value for role in roles],
        "iss": issuer,
        "iat": issued,
        "exp": expires,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def principal_from_token(token: Token) -> Principal:
    raw_roles: Any = token.extras.get("roles", [])
    if not isinstance(raw_roles, list) or not all(isinstance(r, str) for r in raw_roles):
        raise NotAuthorizedException("The token's `roles` claim must be a list of role names")
    try:
        roles = frozenset(Role(name) for name in raw_roles)
        subject = person_id(token.sub, field="sub")
    except (ValueError, InvalidValue) as error:
        raise NotAuthorizedException(f"The token is not usable here: {error}") from None
    return Principal(subject=subject, roles=roles)


# Where a request keeps its bearer token once decoded: the rate limiter, the JWT
# middleware and GraphQL's context each ask, and only the first decodes.
DECODED = "flywheel.bearer"
Decoded = tuple[str, AuthenticationResult | NotAuthorizedException]


class DecodedTokens:
    """Tokens this process decoded lately, each answer kept until its token expires or
    for ``seconds`` at most, ``size`` answers at most (the oldest go first).

    A client sends the same bearer token with every request, and checking it (base64,
    JSON, the signature, the claims) was a sixth of the CPU serve spends on a command
    outside the command bus (docs/PERFORMANCE.md). Only Flywheel's own tokens that let the
    caller in are kept (an identity provider's keys may be withdrawn at any time, so
    its tokens are checked every time), under the token and every setting it was
    checked with. Of the checks only ``exp`` can turn with time (``iat`` and ``nbf``
    were already past), so a kept answer is given only before the token's ``exp``."""

    def __init__(
        self, size: int = 1024, seconds: float = 60.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.size = size
        self.seconds = seconds
        self.clock = clock
        self._kept: dict[Hashable, tuple[float, AuthenticationResult]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> AuthenticationResult | None:
        kept = self._kept.get(key)
        if kept is None:
            return None
        until, answer = kept
        if self.clock() < until:
            return answer
        with self._lock:
            self._kept.pop(key, None)
        return None

    def keep(self, key: Hashable, answer: AuthenticationResult, expires: datetime) -> None:
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        until = min(expires.timestamp(), self.clock() + self.seconds)
        with self._lock:
            while len(self._kept) >= self.size:
                del self._kept[next(iter(self._kept))]
            self._kept[key] = (until, answer)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


DECODED_TOKENS = DecodedTokens()


def _decode(
    encoded: str,
    *,
    secret: str,
    algorithm: str,
    issuers: Sequence[str] | None,
    claims: Sequence[str] | None,
    token_cls: type[Token] = Token,
) -> AuthenticationResult:
    key = (encoded, secret, algorithm, tuple(issuers or ()), tuple(claims or ()), token_cls)
    kept = DECODED_TOKENS.get(key)
    if kept is not None:
        return kept
    answer = _decode_anew(
        encoded,
        secret=secret,
        algorithm=algorithm,
        issuers=issuers,
        claims=claims,
        token_cls=token_cls,
    )
    if answer.auth.iss == ISSUER:  # a local token: the provider's keys may rotate
        DECODED_TOKENS.keep(key, answer, answer.auth.exp)
    return answer


def _decode_anew(
    encoded: str,
    *,
    secret: str,
    algorithm: str,
    issuers: Sequence[str] | None,
    claims: Sequence[str] | None,
    token_cls: type[Token],
) -> AuthenticationResult:
    try:
        token = token_cls.decode(
            encoded_token=encoded,
            secret=secret,
            algorithm=algorithm,
            issuer=issuers,
            require_claims=claims,
        )
    except ProviderRefusal:
        raise  # the identity provider's checks say why in their own words
    except NotAuthorizedException as refusal:
        raise NotAuthorizedException(why_refused(refusal.__cause__)) from None
    return AuthenticationResult(user=principal_from_token(token), auth=token)


def why_refused(cause: BaseException | None) -> str:
    """What is wrong with a token, in words that help its holder and tell an attacker
    nothing they did not send: never the secret, the expected issuer or the claims."""
    if isinstance(cause, jwt.ExpiredSignatureError):
        return "The token has expired: mint a new one with `flywheel token`"
    if isinstance(cause, jwt.ImmatureSignatureError):
        return "The token is not valid yet (its `nbf` or `iat` is in the future)"
    if isinstance(cause, jwt.InvalidSignatureError):
        return (
            "The token's signature does not match: it was signed with another secret "
            "(another data directory or FLYWHEEL_JWT_SECRET?)"
        )
    if isinstance(cause, jwt.InvalidAlgorithmError):
        return f"The token must be signed with {ALGORITHM}"
    if isinstance(cause, jwt.DecodeError):
        return "The token is malformed: a JWT is three base64url parts joined by dots"
    if isinstance(cause, jwt.InvalidIssuerError):
        return "The token was not issued by Flywheel (`flywheel token` mints one)"
    if isinstance(cause, (jwt.MissingRequiredClaimError, KeyError)):
        return "The token lacks a claim Flywheel needs (`sub` and `exp`)"
    return "Invalid token"


def decoded_once(
    scope: Scope, encoded: str, decode: Callable[[str], AuthenticationResult]
) -> AuthenticationResult:
    """``encoded`` decoded at most once per request: the answer, a principal with its
    token or the refusal, is kept in the scope's state for whoever asks next."""
    state = scope.setdefault("state", {})
    kept: Decoded | None = state.get(DECODED)
    if kept is None or kept[0] != encoded:
        try:
            answer: AuthenticationResult | NotAuthorizedException = decode(encoded)
        except NotAuthorizedException as refusal:
            answer = refusal
        kept = state[DECODED] = (encoded, answer)
    if isinstance(kept[1], NotAuthorizedException):
        raise kept[1]
    return kept[1]


class DecodeOnceMiddleware(JWTAuthenticationMiddleware):
    """Litestar's JWT middleware, taking the token the rate limiter already decoded."""

    async def authenticate_token(
        self, encoded_token: str, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        return decoded_once(
            connection.scope,
            encoded_token,
            partial(
                _decode,
                secret=self.token_secret,
                algorithm=self.algorithm,
                issuers=self.token_issuer,
                claims=self.require_claims,
                token_cls=self.token_cls,
            ),
        )


async def _retrieve_principal(
    token: Token, _connection: ASGIConnection[Any, Any, Any, Any]
) -> Principal:
    return principal_from_token(token)


def bearer_auth(
    secret: str,
    *,
    exclude: list[str],
    oidc: OidcVerifier | None = None,
    local_tokens: bool = True,
) -> JWTAuth[Principal, Token]:
    """Litestar's JWT auth: local HS256 tokens, and the provider's with ``oidc``."""
    return JWTAuth[Principal, Token](
        retrieve_user_handler=_retrieve_principal,
        token_secret=secret,
        algorithm=ALGORITHM,
        accepted_issuers=[ISSUER],
        require_claims=["exp", "sub"],
        exclude=exclude,
        exclude_http_methods=["OPTIONS"],  # HEAD reads like GET, so it needs a token too
        description="A bearer JWT from `flywheel token --subject you@example.com --role ...`.",
        authentication_middleware_class=DecodeOnceMiddleware,
        token_cls=token_class(oidc, local_tokens=local_tokens),
    )


def authenticate_header(
    auth: JWTAuth[Principal, Token], header: str | None, scope: Scope | None = None
) -> Principal:
    """Authenticate an ``Authorization`` header outside the middleware (the rate limiter,
    GraphQL); with the request's ``scope``, decoding it at most once per request."""
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not encoded:
        raise NotAuthorizedException("Send `Authorization: Bearer <token>`")
    decode = partial(
        _decode,
        secret=auth.token_secret,
        algorithm=auth.algorithm,
        issuers=auth.accepted_issuers,
        claims=auth.require_claims,
        token_cls=auth.token_cls,
    )
    answer = decode(encoded) if scope is None else decoded_once(scope, encoded, decode)
    principal: Principal = answer.user
    return principal
