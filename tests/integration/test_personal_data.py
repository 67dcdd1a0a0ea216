"""Personal data against real PostgreSQL: a key per person, ciphertext in the log,
erasure that destroys the key in the erasure's own transaction, and views, exports
and rebuilds that never show an erased name."""

from __future__ import annotations

import base64
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import psycopg
import pytest

from domain.errors import NotFound
from domain.people.person import PersonErased, person_record_id
from domain.people.values import PersonId
from domain.personal_data import Sealed
from projections.reading import ReadSession
from services.api.commands import CommandContext
from services.audit import chain as audit
from services.commands import Forbidden
from services.export import export_log
from services.people.rest import ErasePerson, SetDisplayName
from services.personal_data import KEYS_TABLE, keys_of, open_sealed
from services.principal import Role
from services.runtime import Runtime
from tests.integration.test_export import check, public_key
from tests.people import CEO, principal

ALICE = "alice@example.com"
BOB = "bob@example.com"
ALICE_NAME = "Alice Quintessa Example"
BOB_NAME = "Bob Zebulon Example"
RACERS = 8


def rows(runtime: Runtime, sql: str, *args: object) -> list[tuple[object, ...]]:
    with psycopg.connect(runtime.database.url) as conn:
        return conn.execute(sql, args).fetchall()


def stored_states(runtime: Runtime) -> list[bytes]:
    return [bytes(row[0]) for row in rows(runtime, "SELECT state FROM flywheel_events")]


def key_of(runtime: Runtime, person: str) -> bytes | None:
    found = rows(
        runtime,
        f"SELECT key FROM {KEYS_TABLE} WHERE person_id = %s",
        person_record_id(PersonId(person)),
    )
    assert found, f"{person} has a key row"
    key = found[0][0]
    return None if key is None else bytes(key)  # type: ignore[arg-type]


def first_event(runtime: Runtime, person: str) -> Any:
    return next(iter(runtime.app.events.get(person_record_id(PersonId(person)))))


def name_both(runtime: Runtime) -> int:
    runtime.people.set_display_name(
        CommandContext(CEO, "t"), ALICE, SetDisplayName(display_name=ALICE_NAME)
    )
    return runtime.people.set_display_name(
        CommandContext(CEO, "t"), BOB, SetDisplayName(display_name=BOB_NAME)
    ).position


def test_each_person_gets_a_key_and_the_log_holds_only_ciphertext(runtime: Runtime) -> None:
    name_both(runtime)
    alice_key, bob_key = key_of(runtime, ALICE), key_of(runtime, BOB)
    assert alice_key is not None and bob_key is not None and alice_key != bob_key
    assert len(alice_key) == 32
    states = stored_states(runtime)
    assert not any(ALICE_NAME.encode() in state or BOB_NAME.encode() in state for state in states)
    stored = json.loads(states[0])
    assert stored["display_name"]["_type_"] == "sealed"
    event = first_event(runtime, ALICE)
    sealed = event.display_name
    assert isinstance(sealed, Sealed) and sealed.person == ALICE
    assert open_sealed(alice_key, sealed) == ALICE_NAME
    assert open_sealed(bob_key, sealed) is None, "another person's key does not open it"


def test_a_person_names_themselves_and_only_leadership_names_others(runtime: Runtime) -> None:
    alice = principal(ALICE, Role.MEMBER)
    runtime.people.set_display_name(
        CommandContext(alice, "t"), ALICE, SetDisplayName(display_name="Alice")
    )
    renamed = runtime.people.set_display_name(
        CommandContext(alice, "t"), ALICE, SetDisplayName(display_name=ALICE_NAME)
    )
    assert renamed.version == 2
    with pytest.raises(Forbidden):
        runtime.people.set_display_name(
            CommandContext(alice, "t"), BOB, SetDisplayName(display_name="Someone else")
        )


def test_erasure_destroys_the_key_with_the_erasure_event(runtime: Runtime) -> None:
    name_both(runtime)
    before = len(stored_states(runtime))
    outcome = runtime.people.erase(
        CommandContext(CEO, "t"), ALICE, ErasePerson(reason="Erasure request 114")
    )
    assert key_of(runtime, ALICE) is None
    assert key_of(runtime, BOB) is not None, "nobody else's key is touched"
    erased = rows(
        runtime,
        f"SELECT k.erased_at, e.notification_id FROM {KEYS_TABLE} k "
        "JOIN flywheel_events e ON e.originator_id = k.person_id "
        "AND e.topic = 'domain.people.person:Person.Erased'",
    )
    assert len(erased) == 1 and erased[0][1] == outcome.position
    assert len(stored_states(runtime)) == before + 1
    event = first_event(runtime, ALICE)
    assert open_sealed(key_of(runtime, ALICE), event.display_name) is None


def test_erasure_is_final_leadership_only_and_for_known_people(runtime: Runtime) -> None:
    name_both(runtime)
    with pytest.raises(Forbidden):
        runtime.people.erase(
            CommandContext(principal(BOB, Role.AUDITOR), "t"), ALICE, ErasePerson(reason="r")
        )
    with pytest.raises(NotFound):
        runtime.people.erase(
            CommandContext(CEO, "t"), "nobody@example.com", ErasePerson(reason="r")
        )
    runtime.people.erase(CommandContext(CEO, "t"), ALICE, ErasePerson(reason="Erasure request 114"))
    count = len(stored_states(runtime))
    with pytest.raises(PersonErased):
        runtime.people.erase(CommandContext(CEO, "t"), ALICE, ErasePerson(reason="again"))
    with pytest.raises(PersonErased):
        runtime.people.set_display_name(
            CommandContext(CEO, "t"), ALICE, SetDisplayName(display_name="Back again")
        )
    with pytest.raises(PersonErased):
        runtime.app.mapper.keys.key_for_sealing(PersonId(ALICE))  # type: ignore[attr-defined]
    assert len(stored_states(runtime)) == count, "refusals record nothing"
    assert key_of(runtime, ALICE) is None, "no new key is made for an erased person"


def test_the_chain_and_an_earlier_digest_verify_after_an_erasure(runtime: Runtime) -> None:
    name_both(runtime)
    position, head = audit.head_of_chain(runtime.database.url)
    states = stored_states(runtime)
    runtime.people.erase(CommandContext(CEO, "t"), ALICE, ErasePerson(reason="Erasure request 114"))
    report = audit.verify_chain(runtime.database.url)
    assert report.intact, report.problems
    assert audit.chain_link_at(runtime.database.url, position) == head
    assert stored_states(runtime)[: len(states)] == states, "no stored byte changed"


def test_the_export_carries_the_stored_ciphertext_never_the_name(
    runtime: Runtime, tmp_path: Path
) -> None:
    name_both(runtime)
    runtime.people.erase(CommandContext(CEO, "t"), ALICE, ErasePerson(reason="Erasure request 114"))
    out = tmp_path / "log.ndjson"
    export_log(runtime.database.url, runtime.signing_key, out)
    assert check(out, "--public-key", public_key(runtime)).returncode == 0
    text = out.read_text()
    assert ALICE_NAME not in text and BOB_NAME not in text
    first = json.loads(text.splitlines()[0])
    stored = json.loads(base64.b64decode(first["state"]))
    assert first["data"]["display_name"] == stored["display_name"]["_data_"]


async def read_people(runtime: Runtime) -> dict[str, str | None]:
    assert runtime.read_pool is not None
    async with ReadSession(runtime.read_pool) as session:
        found = await session.fetch(
            "SELECT id, display_name_sealed FROM {views}.people WHERE valid_to IS NULL "
            "AND id = ANY($1)",
            [ALICE, BOB],
        )
        keys = await keys_of(session, [ALICE, BOB])
    return {
        row["id"]: open_sealed(keys.get(row["id"]), Sealed(row["id"], row["display_name_sealed"]))
        if row["display_name_sealed"] is not None
        else None
        for row in found
    }


def plaintext_in_views(runtime: Runtime, *names: str) -> list[str]:
    """Every view table whose rows mention one of the names, in any column."""
    found = []
    with psycopg.connect(runtime.database.url) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema LIKE 'views%%'"
        ).fetchall()
        for schema, table in tables:
            for name in names:
                hit = conn.execute(
                    f'SELECT 1 FROM "{schema}"."{table}" t WHERE t::text LIKE %s LIMIT 1',
                    (f"%{name}%",),
                ).fetchone()
                if hit:
                    found.append(f"{schema}.{table}")
    return found


async def test_views_show_the_name_until_the_erasure_and_a_replay_keeps_it_erased(
    serving: Runtime,
) -> None:
    position = name_both(serving)
    assert await serving.watcher.wait_for(position, 10)
    assert await read_people(serving) == {ALICE: ALICE_NAME, BOB: BOB_NAME}
    assert plaintext_in_views(serving, ALICE_NAME, BOB_NAME) == []
    erased = serving.people.erase(
        CommandContext(CEO, "t"), ALICE, ErasePerson(reason="Erasure request 114")
    )
    assert await serving.watcher.wait_for(erased.position, 10)
    assert await read_people(serving) == {ALICE: None, BOB: BOB_NAME}

    conn = await asyncpg.connect(serving.database.url)
    try:
        rebuilt = await serving.projection_runner().rebuild(conn)
    finally:
        await conn.close()
    assert rebuilt == erased.position
    assert await read_people(serving) == {ALICE: None, BOB: BOB_NAME}
    report = await audit.verify_views(serving.database.url, serving.projection_runner())
    assert (report.differences, report.left_out, report.lagging) == ([], [], False)


def test_racing_first_uses_agree_on_one_key(runtime: Runtime) -> None:
    keys = runtime.app.mapper.keys  # type: ignore[attr-defined]
    start = threading.Barrier(RACERS)

    def first_use(_: int) -> bytes:
        start.wait()
        key: bytes = keys.key_for_sealing(PersonId("racer@example.com"))
        return key

    with ThreadPoolExecutor(RACERS) as pool:
        found = set(pool.map(first_use, range(RACERS)))
    assert len(found) == 1
    assert found == {key_of(runtime, "racer@example.com")}


def test_renames_racing_an_erasure_never_land_after_it(runtime: Runtime) -> None:
    runtime.people.set_display_name(
        CommandContext(CEO, "t"), ALICE, SetDisplayName(display_name=ALICE_NAME)
    )
    start = threading.Barrier(RACERS)

    def race(n: int) -> str:
        start.wait()
        try:
            if n == 0:
                runtime.people.erase(
                    CommandContext(CEO, "t"), ALICE, ErasePerson(reason="Erasure request 114")
                )
            else:
                runtime.people.set_display_name(
                    CommandContext(CEO, "t"), ALICE, SetDisplayName(display_name=f"Alice {n}")
                )
        except PersonErased:
            return "refused"
        return "done"

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = list(pool.map(race, range(RACERS)))
    assert outcomes[0] == "done", "the erasure always goes through"
    types = [
        type(event).__name__ for event in runtime.app.events.get(person_record_id(PersonId(ALICE)))
    ]
    assert types[-1] == "Erased" and types.count("Erased") == 1
    assert types.count("Renamed") == outcomes[1:].count("done")
    assert key_of(runtime, ALICE) is None
