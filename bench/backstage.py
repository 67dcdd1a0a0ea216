"""Importing a Backstage catalog the size of the company: one atomic write of every step.

A catalog is generated: 30 (quick) or 300 Groups in a tree, five Users each, two Components
per team each providing one API and consuming two others'. The figure is the time to
import it into an empty database (read, plan, run every command, save once). The
baseline is the same steps run as separate commands, one write each, on another
empty database, in the same run. ``reimport`` (the same catalog again: read the
state, plan nothing, record nothing) is in the detail.
"""

from __future__ import annotations

import time

from bench.commands_mix import InProcess
from bench.context import Context
from bench.environment import note
from bench.harness import Figure, Report, at_most
from services.backstage.catalog import Source, parse_catalog
from services.commands import CommandBus

# One write should cost well under the same commands written one by one.
GOAL_RATIO = 0.5
# Teams in the catalog: the baseline writes every step on its own, so the catalog stays
# smaller than the generated company's org (about 14 steps a team).
TEAMS_QUICK = 30
TEAMS_FULL = 300


def catalog_text(teams: int) -> str:
    documents: list[str] = []
    for n in range(teams):
        parent = f"\n  parent: team-{(n - 1) // 4}" if n else ""
        documents.append(
            f"kind: Group\nmetadata:\n  name: team-{n}\n  annotations:\n"
            f"    flywheel.dev/leader: lead-{n}@bench.example\n"
            f"spec:\n  type: team\n  children: []{parent}\n"
        )
        for m in range(5):
            documents.append(
                f"kind: User\nmetadata:\n  name: person-{n}-{m}\n"
                f"spec:\n  profile: {{email: person-{n}-{m}@bench.example}}\n"
                f"  memberOf: [team-{n}]\n"
            )
        for s in range(2):
            index = 2 * n + s
            consumed = sorted({(index + 1) % (2 * teams), (index + 7) % (2 * teams)} - {index})
            documents.append(
                f"kind: Component\nmetadata:\n  name: svc-{index}\nspec:\n  type: service\n"
                f"  lifecycle: production\n  owner: team-{n}\n  providesApis: [api-{index}]\n"
                f"  consumesApis: [{', '.join(f'api-{c}' for c in consumed)}]\n"
            )
            documents.append(
                f"kind: API\nmetadata:\n  name: api-{index}\nspec:\n  type: openapi\n"
                f"  lifecycle: production\n  owner: team-{n}\n  definition: x\n"
            )
    return "---\n".join(f"apiVersion: backstage.io/v1alpha1\n{d}" for d in documents)


def run(context: Context, report: Report) -> None:
    from services.backstage.importer import run_steps

    teams = context.pick(TEAMS_FULL, TEAMS_QUICK, smoke=10)
    text = catalog_text(teams)
    catalog = parse_catalog([Source("bench", text)])
    with context.database("backstage") as url:
        writer = InProcess(url)
        try:
            started = time.perf_counter()
            result = writer.runtime.backstage.import_catalog(writer.principal, catalog)
            imported = time.perf_counter() - started
            started = time.perf_counter()
            again = writer.runtime.backstage.import_catalog(writer.principal, catalog)
            reimported = time.perf_counter() - started
            assert again.plan.steps == [], "a second import planned steps"
        finally:
            writer.close()
    steps = len(result.plan.steps)
    with context.database("backstage-baseline") as url:
        writer = InProcess(url)
        try:
            started = time.perf_counter()
            run_steps(CommandBus(writer.runtime.app), writer.principal, "bench", result.plan)
            one_by_one = time.perf_counter() - started
        finally:
            writer.close()
    note(
        f"{steps} steps: one write {imported:.2f}s, one write each {one_by_one:.2f}s, "
        f"re-import {reimported:.2f}s"
    )
    report.add(
        Figure(
            name="backstage.import_seconds",
            value=imported,
            unit="s",
            baseline=one_by_one,
            baseline_name="the same commands, one write each",
            goal=at_most(GOAL_RATIO),
            detail={
                "steps": steps,
                "position": result.position,
                "reimport_seconds": round(reimported, 3),
                "teams": teams,
            },
        )
    )
