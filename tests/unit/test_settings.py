"""Settings are typed and validated; a bad one names its variable."""

from __future__ import annotations

import pytest

from services.settings import GraphQLExecutor, LogLevel, SettingsError, load_settings


def test_defaults_need_no_environment() -> None:
    settings = load_settings({})
    assert settings.database_url is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert str(settings.data_path) == ".flywheel"
    assert settings.migrate_on_start is True, "one process on a fresh machine just works"


def test_values_come_from_the_environment_and_the_command_line_wins() -> None:
    settings = load_settings(
        {"FLYWHEEL_PORT": "9000", "FLYWHEEL_LOG_LEVEL": "debug", "FLYWHEEL_HOST": "0.0.0.0"},
        port=9100,
    )
    assert (settings.host, settings.port, settings.log_level) == ("0.0.0.0", 9100, LogLevel.DEBUG)


def test_digests_are_kept_in_the_data_dir_only_for_the_embedded_database() -> None:
    embedded = load_settings({"FLYWHEEL_DATA_DIR": "/srv/flywheel"})
    assert str(embedded.digest_path) == "/srv/flywheel/digests"
    assert embedded.digest_interval_seconds == 3600
    external = load_settings({"DATABASE_URL": "postgresql://db/flywheel"})
    assert external.digest_path is None, "a deployment mounts write-once storage and says where"
    mounted = load_settings(
        {
            "DATABASE_URL": "postgresql://db/flywheel",
            "FLYWHEEL_DIGEST_DIR": "/var/lib/flywheel-digests",
            "FLYWHEEL_DIGEST_INTERVAL": "600",
        }
    )
    assert (str(mounted.digest_path), mounted.digest_interval_seconds) == (
        "/var/lib/flywheel-digests",
        600,
    )


def test_graphql_runs_on_the_fast_executor_unless_told_the_standard_one() -> None:
    assert load_settings({}).graphql_executor is GraphQLExecutor.FAST
    for value in ("standard", "Standard"):
        settings = load_settings({"FLYWHEEL_GRAPHQL_EXECUTOR": value})
        assert settings.graphql_executor is GraphQLExecutor.STANDARD


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"FLYWHEEL_PORT": "eighty"}, "FLYWHEEL_PORT"),
        ({"FLYWHEEL_PORT": "70000"}, "FLYWHEEL_PORT"),
        ({"FLYWHEEL_LOG_LEVEL": "loud"}, "FLYWHEEL_LOG_LEVEL"),
        ({"DATABASE_URL": "mysql://localhost/x"}, "DATABASE_URL"),
        ({"DATABASE_READ_URL": "localhost"}, "DATABASE_READ_URL"),
        ({"FLYWHEEL_JWT_SECRET": "short"}, "FLYWHEEL_JWT_SECRET"),
        ({"FLYWHEEL_RUN_PROJECTIONS": "perhaps"}, "FLYWHEEL_RUN_PROJECTIONS"),
        ({"FLYWHEEL_MIGRATE_ON_START": "sometimes"}, "FLYWHEEL_MIGRATE_ON_START"),
        ({"FLYWHEEL_AUDIT_KEY": "not base64!"}, "FLYWHEEL_AUDIT_KEY"),
        ({"FLYWHEEL_AUDIT_KEY": "c2hvcnQ="}, "FLYWHEEL_AUDIT_KEY"),
        ({"FLYWHEEL_DIGEST_INTERVAL": "0"}, "FLYWHEEL_DIGEST_INTERVAL"),
        ({"FLYWHEEL_DIGEST_INTERVAL": "hourly"}, "FLYWHEEL_DIGEST_INTERVAL"),
        ({"FLYWHEEL_GRAPHQL_EXECUTOR": "turbo"}, "FLYWHEEL_GRAPHQL_EXECUTOR"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(
    environ: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(environ)
    assert str(refused.value).startswith(named)
