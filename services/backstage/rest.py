"""``POST /api/v1/imports/backstage`` and ``GET /api/v1/exports/backstage``."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.params import QueryParameter
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE

from projections.reading import ReadSession
from services.api.guards import signed_in
from services.api.problems import problem_response, problem_responses
from services.backstage.catalog import Source, parse_catalog
from services.backstage.export import catalog_yaml, read_snapshot
from services.backstage.importer import CatalogRefused, ImportResult

if TYPE_CHECKING:  # the runtime assembles the areas; services/api/app.py resolves it
    from services.runtime import Runtime

YAML = "application/yaml"
YAML_TYPES = frozenset({YAML, "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"})
CATALOG_RULE = "backstage-catalog-invalid"


class PlannedStep(msgspec.Struct, rename="camel"):
    """One command of the import: ``add``, ``change`` or ``remove``, and what it does."""

    action: str
    command: str
    summary: str


class CatalogNote(msgspec.Struct):
    """Something in the catalog that was not imported, with where it was found."""

    file: str
    entity: str | None
    message: str


class ImportReport(msgspec.Struct, rename="camel"):
    """The import's id (the correlation id of every event it recorded), whether it was a
    dry run, the log position it reached (none when nothing was recorded), its steps in
    the order they ran (or would run), and what the catalog holds that was not imported."""

    import_id: str
    dry_run: bool
    position: int | None
    steps: list[PlannedStep]
    notes: list[CatalogNote]


def report(result: ImportResult) -> ImportReport:
    return ImportReport(
        import_id=result.import_id,
        dry_run=result.dry_run,
        position=result.position,
        steps=[
            PlannedStep(step.action, type(step).__name__, step.describe())
            for step in result.plan.steps
        ],
        notes=[CatalogNote(n.source, n.entity, n.message) for n in result.plan.notes],
    )


def on_catalog_refused(request: Request[Any, Any, Any], error: CatalogRefused) -> Response[Any]:
    return problem_response(
        request,
        "invalid-input",
        400,
        error.detail,
        rule=CATALOG_RULE,
        field="catalog",
        errors=[problem.as_dict() for problem in error.problems],
    )


class BackstageController(Controller):
    path = "/api/v1"
    tags = ["Backstage"]
    exception_handlers = {CatalogRefused: on_catalog_refused}

    @post(
        "/imports/backstage",
        status_code=200,
        summary="Import a Backstage catalog",
        description="Leadership imports Backstage catalog entities (a multi-document YAML body: "
        "Group, User, Component, API) into the org tree, members, services, APIs and "
        "dependencies, through the normal commands, in one atomic write. Importing the same "
        "catalog again records nothing; a changed one records only the differences. Any "
        "problem (a dangling reference, a duplicate, a group without a leader) refuses the "
        "whole catalog with every problem in `errors`. `?dryRun=true` answers the plan and "
        "records nothing. The body is `application/yaml` (the catalog's entities as "
        "multi-document YAML). See docs/BACKSTAGE.md.",
        responses=problem_responses(400, 401, 403, 409, 413, 415, 429, 503),
        request_body={
            "required": True,
            "description": "Backstage catalog entities, one YAML document each.",
            # Each document is an entity (a mapping) or empty: the schema of one document.
            "content": {
                media_type: {"schema": {"type": ["object", "null"]}}
                for media_type in sorted(YAML_TYPES)
            },
        },
    )
    async def import_backstage(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        dry_run: Annotated[
            bool,
            QueryParameter(
                name="dryRun", description="Plan only: answer the steps, record nothing."
            ),
        ] = False,
    ) -> ImportReport:
        principal = signed_in(request.scope.get("user"))
        media_type = request.content_type[0].lower()
        if media_type not in YAML_TYPES:
            raise HTTPException(
                status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                detail=f"A catalog is YAML (`Content-Type: {YAML}`), not {media_type or 'untyped'}",
            )
        data = await request.body()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise CatalogRefused([]) from None
        catalog = parse_catalog([Source("request body", text)])
        result = await asyncio.to_thread(
            runtime.backstage.import_catalog, principal, catalog, dry_run=dry_run
        )
        return report(result)

    @get(
        "/exports/backstage",
        summary="The org and its boundaries as a Backstage catalog",
        description="The current teams (Group, with members and children), people (User), "
        "services (Component, with providesApis and consumesApis) and APIs (API) as one "
        "multi-document catalog-info.yaml, with `flywheel.dev/*` annotations linking back "
        "to Flywheel; importing it into an empty Flywheel yields the same org and "
        "boundaries. Anyone with a role. Send `X-Flywheel-Position: <position>` (as "
        "with GraphQL) to wait, up to the read wait, for the views to reach your write; "
        "the answer's `X-Flywheel-Position` is the position the views stood at.",
        media_type=YAML,
        responses=problem_responses(401, 403, 429, 503),
    )
    async def export_backstage(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
    ) -> Response[Any]:
        principal = signed_in(request.scope.get("user"))
        if not principal.roles:
            raise PermissionDeniedException("Exporting the catalog needs a role")
        wanted = request.headers.get("x-flywheel-position", "")
        if wanted.isdigit():  # read your own write, as GraphQL does
            await runtime.watcher.wait_for(int(wanted), runtime.settings.read_wait_seconds)
        assert runtime.read_pool is not None
        async with ReadSession(runtime.read_pool) as db:
            snapshot = await read_snapshot(db)
        return Response(
            catalog_yaml(snapshot),
            media_type=YAML,
            headers={"X-Flywheel-Position": str(snapshot.position)},
        )
