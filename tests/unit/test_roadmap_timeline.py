"""The timeline picture, drawn without I/O: every item, its slip, milestones and
dependency arrows are in the SVG, and titles show as written."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from uuid import uuid4

from services.roadmap.timeline import TimelineItem, draw_timeline, timeline_items

SVG = "{http://www.w3.org/2000/svg}"


def drawn() -> tuple[ET.Element, dict[str, TimelineItem]]:
    books, money = uuid4(), uuid4()
    depots, ledger, idea = uuid4(), uuid4(), uuid4()
    rows = [
        {
            "id": depots,
            "team_id": books,
            "title": "Depots <$5 & 50%>",
            "status": "IN_PROGRESS",
            "target_date": date(2027, 3, 15),
        },
        {
            "id": ledger,
            "team_id": money,
            "title": "Ledger",
            "status": "COMMITTED",
            "target_date": date(2027, 5, 1),
        },
        {"id": idea, "team_id": books, "title": "Idea", "status": "PROPOSED", "target_date": None},
    ]
    items = timeline_items(
        rows,
        {books: "Books", money: "Money"},
        {depots: [{"previous": date(2027, 3, 1), "days": 14}]},
        {depots: [{"name": "Beta", "date": date(2027, 2, 1), "done": True}]},
        {depots: [{"target_id": ledger, "kind": "ITEM"}, {"target_id": uuid4(), "kind": "API"}]},
    )
    svg = draw_timeline(items, "Roadmap of Books and Money")
    return ET.fromstring(svg), {item.title: item for item in items}  # noqa: S314 - our own SVG


def texts(root: ET.Element) -> str:
    return " ".join("".join(node.itertext()) for node in root.iter(f"{SVG}text"))


def ids(root: ET.Element) -> set[str]:
    return {node.get("id", "") for node in root.iter()}


def test_items_are_grouped_by_team_then_date_with_their_slip() -> None:
    _, items = drawn()
    assert [(i.team, i.title) for i in items.values()] == [
        ("Books", "Depots <$5 & 50%>"),
        ("Books", "Idea"),
        ("Money", "Ledger"),
    ]
    depots = items["Depots <$5 & 50%>"]
    assert (depots.first_target_date, depots.slipped_days) == (date(2027, 3, 1), 14)


def test_every_item_its_slip_milestones_and_dependencies_are_drawn() -> None:
    root, items = drawn()
    text = texts(root)
    for item in items.values():
        assert f"{item.team} · {item.title}" in text
        assert f"roadmap-item-{item.id}" in ids(root)
    depots, ledger = items["Depots <$5 & 50%>"], items["Ledger"]
    assert "+14d" in text
    assert f"roadmap-item-{depots.id}-slip" in ids(root)
    assert f"roadmap-item-{depots.id}-milestone" in ids(root)
    assert f"roadmap-dependency-{depots.id}-{ledger.id}" in ids(root)
    assert "Roadmap of Books and Money" in text


def test_an_empty_roadmap_is_still_a_picture() -> None:
    root = ET.fromstring(draw_timeline([], "Nothing yet"))  # noqa: S314 - our own SVG
    assert root.tag == f"{SVG}svg" and "Nothing yet" in texts(root)
