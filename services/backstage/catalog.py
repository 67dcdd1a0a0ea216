"""Reading a Backstage catalog: YAML documents, entity references, Location fan-out.

Everything here but :func:`read_catalog_files` is pure: it takes the documents'
text and answers the entities found and the problems with them, each named by
the file (and document) it came from. References follow Backstage's
``parseEntityRef``: ``[kind:][namespace/]name``, the kind defaulting to what the
field refers to (``spec.owner`` a Group, ``providesApis`` an API...) and the
namespace to the referring entity's own; compared without case, as the catalog
does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_NAMESPACE = "default"
# What Flywheel maps; Location is followed; the rest is reported, never guessed.
MAPPED_KINDS = frozenset({"group", "user", "component", "api"})
LOCATION = "location"


@dataclass(frozen=True)
class Source:
    """One YAML text and where it came from (a file's path, or ``request body``)."""

    name: str
    text: str


@dataclass(frozen=True)
class Problem:
    """Something in the catalog that stops (``error``) or is only reported (``note``)."""

    source: str
    entity: str | None
    message: str

    def as_dict(self) -> dict[str, str | None]:
        return {"file": self.source, "entity": self.entity, "message": self.message}

    def __str__(self) -> str:
        where = self.source if self.entity is None else f"{self.source}: {self.entity}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class EntityRef:
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}"


def parse_ref(text: str, *, default_kind: str | None, default_namespace: str) -> EntityRef:
    """Backstage's ``parseEntityRef``: ``[kind:][namespace/]name``, lower-cased for
    comparison. Raises ``ValueError`` for a reference it cannot read."""
    raw = text.strip()
    kind: str | None = default_kind
    namespace = default_namespace
    if ":" in raw:
        kind, _, raw = raw.partition(":")
    if "/" in raw:
        namespace, _, raw = raw.partition("/")
    if not kind:
        raise ValueError(f"the reference {text!r} names no kind, and none is implied")
    if not namespace or not raw or "/" in raw or ":" in raw:
        raise ValueError(f"{text!r} is not an entity reference ([kind:][namespace/]name)")
    return EntityRef(kind.casefold(), namespace.casefold(), raw.casefold())


@dataclass(frozen=True)
class Entity:
    """A catalog entity as written, with its reference and where it was read."""

    ref: EntityRef
    source: str
    body: Mapping[str, Any]

    @property
    def kind(self) -> str:
        return self.ref.kind

    @property
    def metadata(self) -> Mapping[str, Any]:
        value = self.body.get("metadata")
        return value if isinstance(value, Mapping) else {}

    @property
    def spec(self) -> Mapping[str, Any]:
        value = self.body.get("spec")
        return value if isinstance(value, Mapping) else {}

    @property
    def annotations(self) -> Mapping[str, Any]:
        value = self.metadata.get("annotations")
        return value if isinstance(value, Mapping) else {}

    def annotation(self, key: str) -> str | None:
        value = self.annotations.get(key)
        return str(value).strip() if value is not None and str(value).strip() else None

    def text(self, *path: str) -> str | None:
        """A string at ``metadata``/``spec`` path, e.g. ``text("spec", "profile", "email")``."""
        node: Any = self.body
        for key in path:
            if not isinstance(node, Mapping):
                return None
            node = node.get(key)
        return node.strip() if isinstance(node, str) and node.strip() else None

    def refs(self, key: str, *, default_kind: str) -> list[tuple[str, EntityRef | None]]:
        """The references in ``spec.<key>`` (a string or a list of them), each with its
        parsed form, or ``None`` where it cannot be read."""
        value = self.spec.get(key)
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        parsed: list[tuple[str, EntityRef | None]] = []
        for item in items:
            try:
                ref = parse_ref(
                    str(item), default_kind=default_kind, default_namespace=self.ref.namespace
                )
            except ValueError:
                ref = None
            parsed.append((str(item), ref))
        return parsed


@dataclass
class Catalog:
    """The entities read, those Flywheel maps by reference, and what was found wrong."""

    entities: dict[EntityRef, Entity] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Entity]:
        return [entity for entity in self.entities.values() if entity.kind == kind]


def parse_documents(source: Source, catalog: Catalog) -> list[Entity]:
    """Add the entities of one YAML text to ``catalog``; answers its Location entities."""
    try:
        documents = list(yaml.safe_load_all(source.text))
    except yaml.YAMLError as error:
        catalog.errors.append(Problem(source.name, None, f"not valid YAML: {error}"))
        return []
    locations: list[Entity] = []
    for index, document in enumerate(documents, start=1):
        if document is None:
            continue
        where = source.name if len(documents) == 1 else f"{source.name} (document {index})"
        entity = _entity(document, where, catalog)
        if entity is None:
            continue
        if entity.ref in catalog.entities:
            first = catalog.entities[entity.ref]
            catalog.errors.append(
                Problem(where, str(entity.ref), f"defined twice (first in {first.source})")
            )
            continue
        catalog.entities[entity.ref] = entity
        if entity.kind == LOCATION:
            locations.append(entity)
        elif entity.kind not in MAPPED_KINDS:
            catalog.notes.append(
                Problem(
                    where,
                    str(entity.ref),
                    f"kind {entity.body.get('kind')} is not imported: Flywheel has no "
                    "counterpart for it (see docs/BACKSTAGE.md)",
                )
            )
    return locations


def _entity(document: Any, where: str, catalog: Catalog) -> Entity | None:
    if not isinstance(document, Mapping):
        catalog.errors.append(Problem(where, None, "a catalog document must be a mapping"))
        return None
    kind = document.get("kind")
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if not isinstance(kind, str) or not kind.strip():
        catalog.errors.append(Problem(where, None, "the entity has no `kind`"))
        return None
    if not isinstance(name, str) or not name.strip():
        catalog.errors.append(Problem(where, kind, "the entity has no `metadata.name`"))
        return None
    namespace = metadata.get("namespace") if isinstance(metadata, Mapping) else None
    ref = EntityRef(
        kind.strip().casefold(),
        (namespace if isinstance(namespace, str) and namespace else DEFAULT_NAMESPACE).casefold(),
        name.strip().casefold(),
    )
    return Entity(ref=ref, source=where, body=document)


def location_targets(location: Entity) -> list[str]:
    """``spec.target`` and ``spec.targets`` of a Location."""
    spec = location.spec
    targets = [spec["target"]] if isinstance(spec.get("target"), str) else []
    more = spec.get("targets")
    if isinstance(more, list):
        targets.extend(str(target) for target in more)
    return targets


def parse_catalog(sources: Iterable[Source]) -> Catalog:
    """A catalog from texts alone (a request body): Locations are reported, not followed."""
    catalog = Catalog()
    for source in sources:
        for location in parse_documents(source, catalog):
            catalog.notes.append(
                Problem(
                    location.source,
                    str(location.ref),
                    "Location targets are followed only when importing files "
                    "(`flywheel import backstage PATH`); send the entities themselves",
                )
            )
    return catalog


def read_catalog_files(path: Path) -> Catalog:
    """The catalog at ``path`` (a file, or a directory's ``catalog-info.yaml``), following
    Location entities whose targets are files, relative to the file that names them."""
    root = path / "catalog-info.yaml" if path.is_dir() else path
    catalog = Catalog()
    pending = [root.resolve()]
    seen: set[Path] = set()
    while pending:
        current = pending.pop(0)
        if current in seen:
            continue
        seen.add(current)
        try:
            text = current.read_text(encoding="utf-8")
        except OSError as error:
            catalog.errors.append(Problem(str(current), None, f"cannot read: {error.strerror}"))
            continue
        for location in parse_documents(Source(str(current), text), catalog):
            kind = location.text("spec", "type") or "url"
            for target in location_targets(location):
                if kind != "file" and "://" in target:
                    catalog.notes.append(
                        Problem(
                            location.source,
                            str(location.ref),
                            f"target {target} is remote: not fetched (import files only)",
                        )
                    )
                    continue
                resolved = (current.parent / target.removeprefix("file:")).resolve()
                if any(char in target for char in "*?["):
                    pending.extend(match.resolve() for match in sorted(current.parent.glob(target)))
                elif not resolved.exists():
                    catalog.errors.append(
                        Problem(
                            location.source,
                            str(location.ref),
                            f"target {target} does not exist ({resolved})",
                        )
                    )
                else:
                    pending.append(resolved)
    return catalog
