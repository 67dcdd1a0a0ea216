"""The record of what the last Backstage import held, on the aggregate alone."""

from __future__ import annotations

from uuid import uuid4

from domain.backstage import CATALOG_LINK_ID, CatalogLink


def test_the_link_records_the_import_and_what_it_held_sorted() -> None:
    teams, services = sorted([uuid4(), uuid4()]), [uuid4()]
    link = CatalogLink.link("import-1", reversed(teams), services)
    assert (link.id, link.import_id, link.team_ids, link.service_ids) == (
        CATALOG_LINK_ID,
        "import-1",
        frozenset(teams),
        frozenset(services),
    )
    (linked,) = link.collect_events()
    assert isinstance(linked, CatalogLink.Linked)
    assert (linked.import_id, linked.team_ids, linked.service_ids) == ("import-1", teams, services)


def test_a_later_import_is_recorded_only_when_what_it_holds_changed() -> None:
    team, service = uuid4(), uuid4()
    link = CatalogLink.link("import-1", [team], [service])
    link.collect_events()
    link.record_import("import-2", [team], [service])
    assert (list(link.collect_events()), link.import_id) == ([], "import-1")
    link.record_import("import-3", [team], [])
    (recorded,) = link.collect_events()
    assert isinstance(recorded, CatalogLink.ImportRecorded)
    assert (recorded.import_id, recorded.team_ids, recorded.service_ids) == (
        "import-3",
        [team],
        [],
    )
    assert (link.import_id, link.team_ids, link.service_ids) == (
        "import-3",
        frozenset([team]),
        frozenset(),
    )
