"""``flywheel import backstage PATH`` and ``flywheel export backstage --out FILE``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from domain.errors import DomainError
from domain.people.values import person_id
from services.backstage.catalog import read_catalog_files
from services.backstage.importer import CatalogRefused
from services.backstage.mapping import Mapping, parse_mapping
from services.principal import Principal, Role

if TYPE_CHECKING:
    from services.runtime import Runtime

OpenRuntime = Callable[[], "Runtime"]


def import_command(open_runtime: OpenRuntime) -> click.Command:
    @click.command(
        "backstage",
        help="Import a Backstage catalog (a catalog-info.yaml, following its Location "
        "entities) into the org tree, services, APIs and dependencies, as leadership.",
    )
    @click.argument("path", type=click.Path(exists=True, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Print the plan; record nothing.")
    @click.option(
        "--mapping",
        "mapping_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="A mapping file: leaders, members' functions and attachments, API details.",
    )
    @click.option(
        "--as",
        "actor",
        default="backstage-import",
        show_default=True,
        help="The handle recorded as the actor of every event.",
    )
    def backstage(path: Path, dry_run: bool, mapping_file: Path | None, actor: str) -> None:
        mapping: Mapping | None = None
        try:
            if mapping_file is not None:
                mapping = parse_mapping(mapping_file.read_text(encoding="utf-8"))
            principal = Principal(
                subject=person_id(actor, field="--as"), roles=frozenset({Role.LEADERSHIP})
            )
        except DomainError as error:
            raise click.UsageError(error.detail) from None
        catalog = read_catalog_files(path)
        runtime = open_runtime()
        try:
            result = runtime.backstage.import_catalog(
                principal, catalog, mapping=mapping, dry_run=dry_run
            )
        except CatalogRefused as refused:
            for problem in refused.problems:
                click.echo(f"error: {problem}", err=True)
            raise click.ClickException(
                f"{len(refused.problems)} problem(s) in the catalog; nothing was imported"
            ) from None
        except DomainError as error:
            raise click.ClickException(f"refused, nothing was imported: {error.detail}") from None
        finally:
            runtime.close()
        for note in result.plan.notes:
            click.echo(f"note: {note}")
        for step in result.plan.steps:
            click.echo(f"{step.action:>6}  {step.describe()}")
        if dry_run:
            click.echo(f"Dry run: {len(result.plan.steps)} step(s) planned, nothing recorded.")
        elif result.position is None:
            click.echo("Flywheel already matches the catalog: nothing recorded.")
        else:
            click.echo(
                f"Imported in {len(result.plan.steps)} step(s) up to log position "
                f"{result.position}; import id {result.import_id}"
            )

    return backstage


def export_command(open_runtime: OpenRuntime) -> click.Command:
    @click.command(
        "backstage",
        help="Write the org, services, APIs and dependencies as a Backstage catalog (YAML), "
        "as the views hold them.",
    )
    @click.option(
        "--out",
        required=True,
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        help="The catalog-info.yaml to write.",
    )
    def backstage(out: Path) -> None:
        import asyncpg

        from projections.reading import ReadSession
        from services.backstage.export import catalog_entities, catalog_yaml, read_snapshot

        runtime = open_runtime()

        async def read() -> object:
            pool = await asyncpg.create_pool(runtime.database.read_url, min_size=1, max_size=1)
            try:
                async with ReadSession(pool) as db:
                    return await read_snapshot(db)
            finally:
                await pool.close()

        try:
            snapshot = asyncio.run(read())
        finally:
            runtime.close()
        from services.backstage.export import Snapshot

        assert isinstance(snapshot, Snapshot)
        out.write_text(catalog_yaml(snapshot), encoding="utf-8")
        click.echo(
            f"Wrote {len(catalog_entities(snapshot))} entities to {out}, as the views stood "
            f"at log position {snapshot.position}"
        )

    return backstage
