"""The area registry is the one list: everything assembled from it sees every area."""

from __future__ import annotations

from services.application import AGGREGATES, Flywheel
from services.graphql.loaders import Loaders
from services.graphql.schema import NODE_TYPES, Query
from services.registry import AREAS, VIEWS


def test_each_area_has_one_name() -> None:
    names = [area.name for area in AREAS]
    assert len(names) == len(set(names))


def test_the_views_run_exactly_the_projectors_the_areas_declare_in_their_order() -> None:
    """The registry is the one list of projectors: the views take theirs from it, in
    the registry's order (the order of the tables in the schema and its fingerprint)."""
    declared = [area.projector for area in AREAS if area.projector is not None]
    assert list(VIEWS.projectors) == declared
    assert [projector.name for projector in VIEWS.projectors] == [
        "org",
        "boundaries",
        "metrics",
        "goals",
        "allocation",
        "prfaqs",
        "roadmap",
        "excellence",
        "hiring",
        "wbr",
        "feeds",
    ]


def test_an_area_added_to_the_registry_adds_its_tables_to_the_views() -> None:
    tables = VIEWS.tables()
    for projector in VIEWS.projectors:
        assert set(projector.tables) <= set(tables), projector.name
    names = [table.name for table in tables]
    assert len(names) == len(set(names))


def test_every_aggregate_an_area_saves_is_snapshotted() -> None:
    saved = {aggregate for area in AREAS for aggregate in area.aggregates}
    assert set(AGGREGATES) == saved
    assert set(Flywheel.snapshotting_intervals) == saved


def test_the_schema_has_every_area_query_and_node_type() -> None:
    fields = Query.__strawberry_definition__.fields  # type: ignore[attr-defined]
    merged = {field.python_name for field in fields}
    for area in AREAS:
        for query in area.queries:
            own = query.__strawberry_definition__.fields
            assert {field.python_name for field in own} <= merged, area.name
    assert {node.__name__ for node in NODE_TYPES} == {
        "Team",
        "Person",
        "Service",
        "Api",
        "Metric",
        "Goal",
        "AllocationCycle",
        "Dissent",
        "PrFaq",
        "PrFaqDissent",
        "RoadmapItem",
        "Standard",
        "SecondJob",
        "Requisition",
        "InterviewLoop",
    }


def test_a_request_has_one_loader_group_per_area() -> None:
    loaders = Loaders(session=None)  # type: ignore[arg-type]  # loaders read only when loading
    for area in AREAS:
        assert hasattr(loaders, area.name) == (area.loaders is not None), area.name
    assert loaders.org is not Loaders(session=None).org  # per request: batching never shared
