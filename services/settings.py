"""Settings from the environment, typed and validated once at start-up.

A bad value stops start-up with a message that names the variable, e.g.
``FLYWHEEL_PORT='eighty': Expected `int`, got `str```.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import msgspec

MIN_SECRET_LENGTH = 32
AUDIT_SEED_BYTES = 32


class Environment(Enum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class LogLevel(Enum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"

    @classmethod
    def _missing_(cls, value: object) -> LogLevel | None:
        return cls.__members__.get(value.upper()) if isinstance(value, str) else None


class LogFormat(Enum):
    JSON = "json"
    TEXT = "text"


class GraphQLExecutor(Enum):
    """Which execution context runs GraphQL operations: ``fast``, the project's
    ``FastExecutor``, or ``standard``, strawberry's own (to rule the fast one out)."""

    FAST = "fast"
    STANDARD = "standard"

    @classmethod
    def _missing_(cls, value: object) -> GraphQLExecutor | None:
        return cls.__members__.get(value.upper()) if isinstance(value, str) else None


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str | None = None
    database_read_url: str | None = None
    data_dir: str = ".flywheel"
    jwt_secret: str | None = None
    audit_key: str | None = None
    host: str = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 8000
    log_level: LogLevel = LogLevel.INFO
    environment: Environment = Environment.DEVELOPMENT
    run_projections: bool = True
    workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    migrate_on_start: bool = True
    read_wait_seconds: Annotated[float, msgspec.Meta(ge=0, le=60)] = 5.0
    pool_size: Annotated[int, msgspec.Meta(ge=1, le=200)] = 10
    graphql_introspection: bool | None = None
    graphql_executor: GraphQLExecutor = GraphQLExecutor.FAST
    large_reports: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    rate_limit_per_minute: Annotated[int, msgspec.Meta(ge=0)] = 1200
    graphql_rate_limit: Annotated[int, msgspec.Meta(ge=0)] = 250_000
    trusted_documents: str | None = None
    cors_origins: str = ""
    log_format: LogFormat | None = None
    projection_batch: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 1000
    digest_dir: str | None = None
    digest_interval_seconds: Annotated[float, msgspec.Meta(gt=0, le=604_800)] = 3600.0
    fiscal_year_end_month: Annotated[int, msgspec.Meta(ge=1, le=12)] = 12
    # Sign-in from the company's OpenID Connect provider (services/api/oidc.py)
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_roles_claim: str = "groups"
    oidc_role_map: str = ""
    oidc_handle_claim: str = "email"
    oidc_jwks_max_age_seconds: Annotated[float, msgspec.Meta(gt=0, le=86_400)] = 3600.0
    oidc_jwks_min_refresh_seconds: Annotated[float, msgspec.Meta(ge=0, le=3600)] = 60.0
    local_tokens: bool = True
    subscriptions_per_caller: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 10
    subscriptions_per_server: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 1000
    subscription_queue: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 500
    subscription_slow_seconds: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 30.0
    run_webhooks: bool = True
    webhook_destinations: str = ""
    webhook_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=300)] = 10.0
    webhook_retry_base_seconds: Annotated[float, msgspec.Meta(gt=0, le=86_400)] = 5.0
    webhook_retry_max_seconds: Annotated[float, msgspec.Meta(gt=0, le=86_400)] = 3600.0
    webhook_give_up_seconds: Annotated[float, msgspec.Meta(gt=0, le=2_592_000)] = 259_200.0

    @property
    def introspection_enabled(self) -> bool:
        """On unless turned off, or in production unless turned on."""
        if self.graphql_introspection is not None:
            return self.graphql_introspection
        return not self.is_production

    @property
    def json_logs(self) -> bool:
        """JSON lines unless asked for text; text by default in development."""
        if self.log_format is not None:
            return self.log_format is LogFormat.JSON
        return self.is_production

    @property
    def allowed_origins(self) -> list[str]:
        """``FLYWHEEL_CORS_ORIGINS``: comma-separated origins allowed to call from browsers."""
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).expanduser()

    @property
    def digest_path(self) -> Path | None:
        """Where signed digests of the chain are kept: ``FLYWHEEL_DIGEST_DIR``; without it,
        ``<data dir>/digests`` for the embedded database and none with ``DATABASE_URL``
        (a deployment mounts write-once storage and says where)."""
        if self.digest_dir is not None:
            return Path(self.digest_dir).expanduser()
        return self.data_path / "digests" if self.database_url is None else None

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION


ENVIRONMENT_VARIABLES: dict[str, str] = {
    "database_url": "DATABASE_URL",
    "database_read_url": "DATABASE_READ_URL",
    "data_dir": "FLYWHEEL_DATA_DIR",
    "jwt_secret": "FLYWHEEL_JWT_SECRET",
    "audit_key": "FLYWHEEL_AUDIT_KEY",
    "host": "FLYWHEEL_HOST",
    "port": "FLYWHEEL_PORT",
    "log_level": "FLYWHEEL_LOG_LEVEL",
    "environment": "FLYWHEEL_ENV",
    "run_projections": "FLYWHEEL_RUN_PROJECTIONS",
    "workers": "FLYWHEEL_WORKERS",
    "migrate_on_start": "FLYWHEEL_MIGRATE_ON_START",
    "read_wait_seconds": "FLYWHEEL_READ_WAIT_SECONDS",
    "pool_size": "FLYWHEEL_POOL_SIZE",
    "graphql_introspection": "FLYWHEEL_GRAPHQL_INTROSPECTION",
    "graphql_executor": "FLYWHEEL_GRAPHQL_EXECUTOR",
    "large_reports": "FLYWHEEL_LARGE_REPORTS",
    "rate_limit_per_minute": "FLYWHEEL_RATE_LIMIT",
    "graphql_rate_limit": "FLYWHEEL_GRAPHQL_RATE_LIMIT",
    "trusted_documents": "FLYWHEEL_TRUSTED_DOCUMENTS",
    "cors_origins": "FLYWHEEL_CORS_ORIGINS",
    "log_format": "FLYWHEEL_LOG_FORMAT",
    "projection_batch": "FLYWHEEL_PROJECTION_BATCH",
    "digest_dir": "FLYWHEEL_DIGEST_DIR",
    "digest_interval_seconds": "FLYWHEEL_DIGEST_INTERVAL",
    "fiscal_year_end_month": "FLYWHEEL_FISCAL_YEAR_END_MONTH",
    "oidc_issuer": "FLYWHEEL_OIDC_ISSUER",
    "oidc_audience": "FLYWHEEL_OIDC_AUDIENCE",
    "oidc_roles_claim": "FLYWHEEL_OIDC_ROLES_CLAIM",
    "oidc_role_map": "FLYWHEEL_OIDC_ROLE_MAP",
    "oidc_handle_claim": "FLYWHEEL_OIDC_HANDLE_CLAIM",
    "oidc_jwks_max_age_seconds": "FLYWHEEL_OIDC_JWKS_MAX_AGE",
    "oidc_jwks_min_refresh_seconds": "FLYWHEEL_OIDC_JWKS_MIN_REFRESH",
    "local_tokens": "FLYWHEEL_LOCAL_TOKENS",
    "subscriptions_per_caller": "FLYWHEEL_SUBSCRIPTIONS_PER_CALLER",
    "subscriptions_per_server": "FLYWHEEL_SUBSCRIPTIONS_PER_SERVER",
    "subscription_queue": "FLYWHEEL_SUBSCRIPTION_QUEUE",
    "subscription_slow_seconds": "FLYWHEEL_SUBSCRIPTION_SLOW_SECONDS",
    "run_webhooks": "FLYWHEEL_RUN_WEBHOOKS",
    "webhook_destinations": "FLYWHEEL_WEBHOOK_DESTINATIONS",
    "webhook_timeout_seconds": "FLYWHEEL_WEBHOOK_TIMEOUT",
    "webhook_retry_base_seconds": "FLYWHEEL_WEBHOOK_RETRY_BASE",
    "webhook_retry_max_seconds": "FLYWHEEL_WEBHOOK_RETRY_MAX",
    "webhook_give_up_seconds": "FLYWHEEL_WEBHOOK_GIVE_UP",
}


class SettingsError(ValueError):
    """A setting with a value Flywheel cannot use."""


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read settings from ``environ`` (default: the process environment).

    ``overrides`` (e.g. ``host``/``port`` from the command line) win over the
    environment; ``None`` values are ignored.
    """
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {
        field: environ[variable]
        for field, variable in ENVIRONMENT_VARIABLES.items()
        if environ.get(variable, "").strip()
    }
    raw.update({field: value for field, value in overrides.items() if value is not None})
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as error:
        raise SettingsError(_name_the_variable(str(error), raw)) from None
    _check_database_url("DATABASE_URL", settings.database_url)
    _check_database_url("DATABASE_READ_URL", settings.database_read_url)
    if settings.jwt_secret is not None and len(settings.jwt_secret) < MIN_SECRET_LENGTH:
        raise SettingsError(
            f"FLYWHEEL_JWT_SECRET: must be at least {MIN_SECRET_LENGTH} characters long"
        )
    _check_audit_key(settings.audit_key)
    _check_oidc(settings)
    return settings


def _check_oidc(settings: Settings) -> None:
    from services.api.oidc import check_provider_url, parse_role_map

    if settings.oidc_issuer is None:
        if not settings.local_tokens:
            raise SettingsError(
                "FLYWHEEL_LOCAL_TOKENS=false needs FLYWHEEL_OIDC_ISSUER: no token would be accepted"
            )
        return
    if not settings.oidc_audience:
        raise SettingsError(
            "FLYWHEEL_OIDC_AUDIENCE: required with FLYWHEEL_OIDC_ISSUER (the client id "
            "the provider puts in `aud`)"
        )
    try:
        check_provider_url(settings.oidc_issuer, production=settings.is_production)
    except ValueError as error:
        raise SettingsError(f"FLYWHEEL_OIDC_ISSUER: {error}") from None
    try:
        parse_role_map(settings.oidc_role_map)
    except ValueError as error:
        raise SettingsError(
            f"FLYWHEEL_OIDC_ROLE_MAP: {error} (expected e.g. "
            "`flywheel-leads=leadership,planners=planner`)"
        ) from None


def _check_audit_key(key: str | None) -> None:
    if key is None:
        return
    try:
        seed = base64.b64decode(key, validate=True)
    except ValueError:
        seed = b""
    if len(seed) != AUDIT_SEED_BYTES:
        raise SettingsError(
            f"FLYWHEEL_AUDIT_KEY: expected the base64 of a {AUDIT_SEED_BYTES}-byte Ed25519 seed "
            "(e.g. `python -c 'import os,base64;print(base64.b64encode(os.urandom(32)).decode())'`)"
        )


def _name_the_variable(message: str, raw: Mapping[str, Any]) -> str:
    for field, variable in ENVIRONMENT_VARIABLES.items():
        if message.endswith(f"`$.{field}`"):
            reason = message.rsplit(" - at ", 1)[0]
            return f"{variable}={raw.get(field)!r}: {reason}"
    return message


def _check_database_url(variable: str, url: str | None) -> None:
    if url is not None and not url.startswith(("postgresql://", "postgres://")):
        raise SettingsError(
            f"{variable}: expected a PostgreSQL URL such as "
            "postgresql://user:password@host:5432/dbname"
        )
