"""Signing in to the HTML deck from a browser.

A person gets there one of two ways (docs/SECURITY.md):

- **a sign-in link** that ``flywheel token --link`` prints: ``/wbr/sign-in?token=...``
  where the token is a JWT valid for :data:`LINK_MINUTES` minutes whose issuer is
  :data:`LINK_ISSUER`, so the API refuses it as a bearer token: it only opens a
  session; or
- **a form** at ``/wbr/sign-in`` that takes an ordinary bearer token.

Either way the browser gets a session cookie, ``flywheel_wbr``: a fresh JWT valid for
:data:`SESSION_HOURS` hours (never longer than the token it came from), ``HttpOnly``
(no script can read it), ``SameSite=Strict`` (no other site can make the browser send
it), ``Path=/wbr`` (sent to the deck only, never to the API) and ``Secure`` in
production. The deck is read-only: the cookie authorises reading the review, nothing
else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.security.jwt import Token

from services.auth import ALGORITHM, ISSUER, mint_token, principal_from_token, signed_token
from services.principal import Principal, Role

LINK_ISSUER = "flywheel-sign-in"
LINK_MINUTES = 10
SESSION_HOURS = 8
COOKIE = "flywheel_wbr"


def mint_link_token(secret: str, subject: str, roles: list[Role]) -> str:
    return mint_token(
        secret, subject, roles, ttl=timedelta(minutes=LINK_MINUTES), issuer=LINK_ISSUER
    )


def read_token(secret: str, encoded: str, issuer: str) -> tuple[Principal, datetime]:
    """The principal a token names and when it expires; refused (401) when it is not
    a valid token of ``issuer``."""
    try:
        token = Token.decode(
            encoded_token=encoded.strip(),
            secret=secret,
            algorithm=ALGORITHM,
            issuer=[issuer],
            require_claims=["exp", "sub"],
        )
    except NotAuthorizedException:
        raise NotAuthorizedException(
            "The token is not valid (expired, or not one of ours)"
        ) from None
    return principal_from_token(token), token.exp


def session_cookie(secret: str, principal: Principal, expires: datetime, *, secure: bool) -> Cookie:
    now = datetime.now(UTC)
    until = min(expires, now + timedelta(hours=SESSION_HOURS))
    roles = sorted(principal.roles, key=lambda role: role.value)
    value = signed_token(secret, principal.subject, roles, ISSUER, issued=now, expires=until)
    return Cookie(
        key=COOKIE,
        value=value,
        path="/wbr",
        httponly=True,
        samesite="strict",
        secure=secure,
        max_age=max(int((until - now).total_seconds()), 1),
    )


def cookie_principal(secret: str, value: str | None) -> Principal | None:
    if not value:
        return None
    try:
        principal, _ = read_token(secret, value, ISSUER)
    except NotAuthorizedException:
        return None
    return principal


def sign_in_link(base_url: str, secret: str, subject: str, roles: list[Role]) -> str:
    return f"{base_url.rstrip('/')}/wbr/sign-in?token={mint_link_token(secret, subject, roles)}"
