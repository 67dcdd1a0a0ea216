"""Exports that check themselves: every readable field, every line, the signed end.

The standalone script runs under the base interpreter with ``-I -S``: no
virtualenv, no site-packages, no PYTHONPATH, so it can only use the standard
library.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.api.commands import CommandContext
from services.audit import chain as audit
from services.export import export_log
from services.org.rest import CharterTeam
from services.runtime import Runtime
from services.seed import seed_demo
from tests.integration.test_projections import CEO, build_history

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_export.py"
BARE_PYTHON = [str(Path(sys.base_prefix) / "bin" / "python3"), "-I", "-S"]


def check(export: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BARE_PYTHON, str(SCRIPT), str(export), *options],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def read(export: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in export.read_text().splitlines()]


def write(export: Path, lines: list[dict[str, Any]]) -> None:
    export.write_text("".join(json.dumps(line) + "\n" for line in lines))


def public_key(runtime: Runtime) -> str:
    return audit.public_key_text(runtime.signing_key.public_key())


@pytest.fixture
def exported(runtime: Runtime, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    history = build_history(runtime)
    out = tmp_path / "events.ndjson"
    assert export_log(runtime.database.url, runtime.signing_key, out) == history["head"]
    return out, history


def test_a_genuine_export_passes_with_nothing_but_the_standard_library(
    runtime: Runtime, exported: tuple[Path, dict[str, Any]]
) -> None:
    out, history = exported
    lines = read(out)
    events, digest = lines[:-1], lines[-1]
    assert [line["position"] for line in events] == list(range(1, history["head"] + 1))
    assert [line["previousPosition"] for line in events] == list(range(history["head"]))
    appointed = next(line for line in events if line["type"] == "Team.LeaderAppointed")
    assert appointed["reason"] == appointed["data"]["reason"] == "Alice moves to Risk"
    assert appointed["actor"] == CEO.subject
    assert appointed["data"]["leader"] == "carol@x.io"
    assert digest["position"] == history["head"] and digest["chainHash"] == events[-1]["chainHash"]
    assert audit.signature_holds(digest)

    checked = check(out)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith(f"OK: {history['head']} events, head position")
    with_key = check(out, "--public-key", public_key(runtime))
    assert with_key.returncode == 0, with_key.stdout + with_key.stderr


def test_every_kind_of_event_in_the_demo_company_checks(runtime: Runtime, tmp_path: Path) -> None:
    """Enums, decimals, dates, nested headcounts, lists of ids: every area's events."""
    seeded = seed_demo(runtime)
    out = tmp_path / "demo.ndjson"
    assert export_log(runtime.database.url, runtime.signing_key, out) > 0
    events = read(out)[:-1]
    assert events[-1]["position"] == seeded.position
    assert {event["topic"].partition(":")[0] for event in events} >= {
        "domain.org.team",
        "domain.boundaries",
        "domain.metrics",
        "domain.goals",
        "domain.allocation.cycle",
    }
    checked = check(out, "--public-key", public_key(runtime))
    assert checked.returncode == 0, checked.stdout + checked.stderr


EDITS = {
    "actor": lambda line: {**line, "actor": "mallory@x.io"},
    "data": lambda line: {**line, "data": {**line["data"], "leader": "mallory@x.io"}},
    "type": lambda line: {**line, "type": "Team.MemberAdded"},
    "reason": lambda line: {**line, "reason": "Nobody asked"},
    "correlationId": lambda line: {**line, "correlationId": "forged-1"},
    "recordedAt": lambda line: {**line, "recordedAt": "2020-01-01T00:00:00+00:00"},
}


@pytest.mark.parametrize("field", list(EDITS))
def test_an_edited_readable_field_fails_at_its_line(
    exported: tuple[Path, dict[str, Any]], field: str
) -> None:
    out, _ = exported
    lines = read(out)
    index = next(i for i, line in enumerate(lines) if line.get("type") == "Team.LeaderAppointed")
    lines[index] = EDITS[field](lines[index])
    write(out, lines)
    checked = check(out)
    assert checked.returncode == 1
    position = lines[index]["position"]
    assert checked.stdout == (
        f"FAILED at line {index + 1}, position {position}: "
        f"`{field}` differs from the stored event\n"
    )


def test_a_value_of_another_json_type_that_compares_equal_fails(
    exported: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = exported
    lines = read(out)
    index = next(i for i, line in enumerate(lines) if line.get("type") == "Team.Disbanded")
    lines[index]["data"]["extra"] = True
    write(out, lines)
    assert "`data` differs" in check(out).stdout
    del lines[index]["data"]["extra"]
    for name, value in (("originatorVersion", 1.0), ("position", str(lines[index]["position"]))):
        write(out, [*lines[:index], {**lines[index], name: value}, *lines[index + 1 :]])
        assert check(out).stdout.startswith(f"FAILED at line {index + 1}, position"), name


def test_a_field_the_hash_does_not_cover_is_refused(exported: tuple[Path, dict[str, Any]]) -> None:
    out, _ = exported
    lines = read(out)
    lines[2]["approvedBy"] = "ceo@example.com"
    write(out, lines)
    checked = check(out)
    assert checked.returncode == 1
    assert checked.stdout.startswith(
        "FAILED at line 3, position 3: unexpected fields ['approvedBy']"
    )


def test_a_duplicated_field_is_refused(exported: tuple[Path, dict[str, Any]]) -> None:
    out, _ = exported
    text = out.read_text().splitlines()
    text[1] = text[1].replace('"actor":', '"actor": "mallory@x.io", "actor":', 1)
    out.write_text("\n".join(text) + "\n")
    checked = check(out)
    assert checked.returncode == 1
    assert checked.stdout.startswith("FAILED at line 2: not a JSON object: a field appears twice")


def test_a_changed_stored_byte_fails_at_its_line(exported: tuple[Path, dict[str, Any]]) -> None:
    out, _ = exported
    lines = read(out)
    state = bytearray(base64.b64decode(lines[3]["state"]))
    state[-3] ^= 1
    lines[3]["state"] = base64.b64encode(bytes(state)).decode()
    write(out, lines)
    checked = check(out)
    assert checked.stdout == (
        "FAILED at line 4, position 4: the event's stored bytes do not match its hash\n"
    )


def test_a_deleted_line_is_reported_at_its_own_position(runtime: Runtime, tmp_path: Path) -> None:
    """Positions have gaps (a rolled-back insert uses up its number), so the
    line's own position comes from the next line's ``previousPosition``."""
    history = build_history(runtime)
    with psycopg.connect(runtime.database.url, autocommit=True) as conn:
        conn.execute("SELECT nextval(pg_get_serial_sequence('flywheel_events', 'notification_id'))")
    after_gap = runtime.org.charter_team(
        CommandContext(CEO, "h"), CharterTeam(name="After a gap", mission="m", leader="gap@x.io")
    )
    runtime.org.charter_team(
        CommandContext(CEO, "h"), CharterTeam(name="Last", mission="m", leader="last@x.io")
    )
    out = tmp_path / "events.ndjson"
    export_log(runtime.database.url, runtime.signing_key, out)
    lines = read(out)
    gap = next(i for i, line in enumerate(lines) if line["position"] == history["head"] + 2)
    assert lines[gap]["previousPosition"] == history["head"]
    assert check(out).returncode == 0, "a genuine export with a gap passes"

    first_after_gap = lines[gap]["position"]
    assert first_after_gap <= after_gap.position
    write(out, lines[:gap] + lines[gap + 1 :])
    checked = check(out)
    assert checked.returncode == 1
    assert checked.stdout.startswith(
        f"FAILED at position {first_after_gap}: the event is missing from the export"
    )

    write(out, lines[:4] + lines[6:])
    assert check(out).stdout.startswith("FAILED at position 6: the event is missing")

    write(out, lines[:-2] + lines[-1:])
    checked = check(out)
    assert checked.stdout.startswith(
        f"FAILED: the export ends at position {lines[-3]['position']}, "
        f"but its digest signs position {lines[-2]['position']}"
    )


def test_a_cut_export_fails_without_arguments(exported: tuple[Path, dict[str, Any]]) -> None:
    out, history = exported
    lines = read(out)
    write(out, lines[:-3])
    checked = check(out)
    assert checked.returncode == 1
    assert checked.stdout == (
        f"FAILED: the export does not end with a signed digest: it was cut short after line "
        f"{history['head'] - 2}\n"
    )
    write(out, lines[:-1])
    assert check(out).returncode == 1, "only the digest removed"


def test_a_forged_digest_fails(runtime: Runtime, exported: tuple[Path, dict[str, Any]]) -> None:
    out, _ = exported
    lines = read(out)
    digest = lines[-1]
    write(out, [*lines[:-1], {**digest, "signedAt": "2020-01-01T00:00:00+00:00"}])
    assert check(out).stdout == "FAILED: the export's digest: its signature does not hold\n"

    cut = lines[:-3]
    mallory = Ed25519PrivateKey.generate()
    resigned = audit.sign_digest(
        mallory, cut[-1]["position"], bytes.fromhex(cut[-1]["chainHash"])
    ).as_json()
    write(out, [*cut, resigned])
    assert check(out).returncode == 0, "re-signed with any key, it only holds with that key"
    with_key = check(out, "--public-key", public_key(runtime))
    assert with_key.returncode == 1
    assert with_key.stdout.startswith("FAILED: the export's digest is signed by key")


def test_an_earlier_digest_is_checked_against_the_export(
    runtime: Runtime, exported: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, _ = exported
    lines = read(out)
    earlier = audit.sign_digest(
        runtime.signing_key, lines[5]["position"], bytes.fromhex(lines[5]["chainHash"])
    ).as_json()
    saved = tmp_path / "digest.json"
    saved.write_text(json.dumps(earlier))
    assert check(out, "--digest", str(saved)).returncode == 0
    saved.write_text(json.dumps({**earlier, "chainHash": lines[4]["chainHash"]}))
    assert "its signature does not hold" in check(out, "--digest", str(saved)).stdout

    def signed(position: int, chain: str) -> None:
        digest = audit.sign_digest(runtime.signing_key, position, bytes.fromhex(chain))
        saved.write_text(json.dumps(digest.as_json()))

    signed(lines[5]["position"], lines[4]["chainHash"])
    assert check(out, "--digest", str(saved)).stdout == (
        f"FAILED: the chain at position {lines[5]['position']} differs from the given digest's\n"
    )
    signed(lines[-1]["position"] + 5, lines[4]["chainHash"])
    assert check(out, "--digest", str(saved)).stdout == (
        f"FAILED: the export does not reach the given digest's position "
        f"{lines[-1]['position'] + 5}\n"
    )
