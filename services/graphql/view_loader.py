"""The DataLoader over a view query: one query per kind of row per request tick.

Keys are ``(at, key)``: the same entity read as of two positions is two keys.
Each area groups its loaders (``services/<area>/loaders.py``); the request's
:class:`~services.graphql.loaders.Loaders` holds one group per area.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import partial
from typing import Any, Generic, TypeVar

from strawberry.dataloader import DataLoader

from projections.paging import EMPTY_PAGE, Page
from projections.reading import ReadSession

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Fetch = Callable[[ReadSession, Sequence[Any], int | None], Awaitable[dict[Any, Any]]]


class ViewLoader(Generic[K, V]):
    """Batches ``load(key, at)`` calls into one view query per position.

    The DataLoader's batch function holds the session, the fetch and the default,
    never the ViewLoader itself: a bound method would make each loader a reference
    cycle, and every row a request read would then wait, in the loader's cache, for
    the cycle collector instead of being freed when the request ends (a collection of
    a few dozen requests' rows took 50-150 ms of one request, the team page's p99).
    """

    def __init__(self, session: ReadSession, fetch: Fetch, missing: Callable[[], V]) -> None:
        self._loader: DataLoader[tuple[int | None, K], V] = DataLoader(
            load_fn=partial(_load_batch, session, fetch, missing)
        )

    async def load(self, key: K, at: int | None) -> V:
        return await self._loader.load((at, key))


async def _load_batch(
    session: ReadSession, fetch: Fetch, missing: Callable[[], V], keys: list[tuple[int | None, K]]
) -> list[V]:
    by_position: dict[int | None, list[K]] = defaultdict(list)
    for at, key in keys:
        by_position[at].append(key)
    found: dict[tuple[int | None, K], V] = {}
    for at, group in by_position.items():
        rows = await fetch(session, group, at)
        found.update({(at, key): rows[key] for key in group if key in rows})
    return [found[key] if key in found else missing() for key in keys]


def none() -> None:
    return None


def false() -> bool:
    return False


def empty_page() -> Page:
    return EMPTY_PAGE


def page_loader(
    session: ReadSession, fetch_pages: Callable[..., Awaitable[dict[Any, Page]]]
) -> ViewLoader[tuple[Any, ...], Page]:
    """The loader of a page per parent, keyed ``(parent id, *arguments)`` (see
    :func:`per_parent`), answering an empty page for a parent with none."""
    return ViewLoader(session, per_parent(fetch_pages), empty_page)


def per_parent(fetch_pages: Callable[..., Awaitable[dict[Any, Page]]]) -> Fetch:
    """Adapts a query of one page per parent to keys ``(parent id, *arguments)``: one
    query per distinct set of arguments (page size, cursor, filter) in a tick."""

    async def fetch(
        session: ReadSession, keys: Sequence[tuple[Any, ...]], at: int | None
    ) -> dict[tuple[Any, ...], Page]:
        parents_by_arguments: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
        for parent, *rest in keys:
            parents_by_arguments[tuple(rest)].append(parent)
        found: dict[tuple[Any, ...], Page] = {}
        for arguments, parents in parents_by_arguments.items():
            pages = await fetch_pages(session, parents, at, *arguments)
            found.update(
                {(parent, *arguments): pages[parent] for parent in parents if parent in pages}
            )
        return found

    return fetch
