"""``flywheel import observations FILE`` and ``flywheel wbr export``: the weekly business
review from the command line."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import click

from services.principal import Principal, Role

if TYPE_CHECKING:
    from services.runtime import Runtime


def acting_principal(subject: str, roles: tuple[str, ...]) -> Principal:
    from domain.people.values import person_id

    return Principal(person_id(subject, field="subject"), frozenset(Role(name) for name in roles))


def import_observations(
    runtime: Runtime, path: Path, who: Principal, reason: str | None
) -> dict[str, object]:
    """Record a file of observations in one all-or-nothing command: wbr-app's CSV
    (``.csv``) or a JSON list as ``POST /api/v1/observations`` takes."""
    from services.api.commands import CommandContext
    from services.wbr.rest import answer, csv_values, json_values

    body = path.read_bytes()
    ignored: list[str] = []
    if path.suffix.lower() == ".json":
        values = json_values(body)
        combine = False
    else:
        values, ignored = csv_values(body, reason)
        combine = True
    outcome = runtime.wbr.record_observations(
        CommandContext(who, f"import-{uuid.uuid4()}"), values, combine_same_day=combine
    )
    recorded = answer(outcome, ignored)
    return {
        "recorded": recorded.recorded,
        "corrected": recorded.corrected,
        "unchanged": recorded.unchanged,
        "metrics": recorded.metrics,
        "position": recorded.position,
        "ignoredColumns": recorded.ignored_columns,
    }


def echo_json(document: object) -> None:
    click.echo(json.dumps(document, indent=2))


def export_to(
    runtime: Runtime,
    week_ending: str,
    team_id: str | None,
    include_subteams: bool,
    out: Path,
) -> list[Path]:
    """``flywheel wbr export``: read the views as they stand and write wbr-app's inputs."""
    import asyncio
    from datetime import date
    from uuid import UUID

    import asyncpg

    from projections.reading import ReadSession
    from services.wbr.rest_export import export_of
    from services.wbr.wbr_app_export import write_directory

    try:
        day = date.fromisoformat(week_ending)
        team = UUID(team_id) if team_id else None
    except ValueError as error:
        raise click.UsageError(str(error)) from None

    async def read() -> dict[str, bytes]:
        pool = await asyncpg.create_pool(runtime.database.read_url, min_size=1, max_size=1)
        try:
            async with ReadSession(pool) as db:
                return await export_of(db, runtime, day, team, include_subteams)
        finally:
            await pool.close()

    return write_directory(asyncio.run(read()), out)
