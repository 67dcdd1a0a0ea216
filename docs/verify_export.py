#!/usr/bin/env python3
"""Check a Flywheel event-log export without Flywheel (Python 3.8+, standard library only).

    python3 verify_export.py events.ndjson [--public-key KEY] [--digest digest.json]

An export (``flywheel export``) is one JSON line per event, in log order, and
ends with a line holding a signed digest of the head of the hash chain. For
every event line this script:

1. recomputes the event's hash from the stored columns (``state`` is the
   stored event's bytes, base64-encoded) and the chain link from the link
   before it:

       event_hash = SHA-256( f"{position}|{originatorId}|{originatorVersion}|{topic}|" + state )
       chain_hash = SHA-256( previous chain_hash + event_hash )   (first previous: 32 zero bytes)

2. decodes ``state`` itself and checks that every readable field (``type``,
   ``recordedAt``, ``actor``, ``correlationId``, ``reason``, ``data``) says
   exactly what the hashed bytes say; a line with any other field is refused;

3. checks ``previousPosition`` (the position of the event before it in the
   chain), so a line taken out of the export is reported at its own position.

The last line is the digest: ``flywheel-digest-v1|{position}|{chainHash}|{signedAt}``
signed with Ed25519, verified here in pure Python (RFC 8032). It must sign the
head this script computed, so an export cut short fails without any argument.
The digest names its public key; pass the server's own (``--public-key``, see
docs/AUDIT.md for where to get it) to be sure nobody re-signed a shortened or
rewritten export with a key of their own. ``--digest`` checks a digest saved
earlier (from ``GET /api/v1/audit/digest`` or the digest directory) too.

Exit status 0 when everything holds, 1 at the first problem.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys
import uuid

DIGEST_VERSION = "flywheel-digest-v1"
EVENT_FIELDS = (
    "position",
    "previousPosition",
    "originatorId",
    "originatorVersion",
    "topic",
    "state",
    "eventHash",
    "chainHash",
    "type",
    "recordedAt",
    "actor",
    "correlationId",
    "reason",
    "data",
)
DIGEST_FIELDS = (
    "version",
    "position",
    "chainHash",
    "signedAt",
    "algorithm",
    "publicKey",
    "signature",
)
# Keys of the stored state that are provenance, not the event's own data.
NOT_DATA = ("timestamp", "actor", "correlation_id", "originator_topic", "class_version")


# -- Ed25519 verification (RFC 8032, section 6) ---------------------------------

P = 2**255 - 19
Q = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a: tuple, b: tuple) -> tuple:
    x = (a[1] - a[0]) * (b[1] - b[0]) % P
    y = (a[1] + a[0]) * (b[1] + b[0]) % P
    c = 2 * a[3] * b[3] * D % P
    d = 2 * a[2] * b[2] % P
    e, f, g, h = y - x, d - c, d + c, y + x
    return (e * f, g * h, f * g, e * h)


def _multiply(scalar: int, point: tuple) -> tuple:
    result = (0, 1, 1, 0)
    while scalar > 0:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _same(a: tuple, b: tuple) -> bool:
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


def _recover_x(y: int, sign: int) -> int | None:
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 % P == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    return P - x if (x & 1) != sign else x


def _decompress(encoded: bytes) -> tuple | None:
    y = int.from_bytes(encoded, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


BASE_Y = 4 * pow(5, P - 2, P) % P
BASE_X = 15112221349535400772501151409588531511454012693041857206046113283949847762202
BASE = (BASE_X, BASE_Y, 1, BASE_X * BASE_Y % P)


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a = _decompress(public_key)
    r = _decompress(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= Q:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little")
    return _same(_multiply(s, BASE), _add(r, _multiply(h % Q, a)))


# -- reading the stored state ----------------------------------------------------


def _plain(value: object) -> object:
    """A stored value as the export shows it: tagged values by their stored text,
    UUIDs in their usual hyphenated form."""
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            if value["_type_"] == "uuid_hex":
                return str(uuid.UUID(value["_data_"]))
            return _plain(value["_data_"])
        return {name: _plain(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def readable_fields(topic: str, state: bytes) -> dict:
    """What the export may show of an event, decoded from its stored bytes."""
    stored = json.loads(state.decode("utf-8"))
    data = {name: _plain(value) for name, value in stored.items() if name not in NOT_DATA}
    reason = data.get("reason")
    return {
        "type": topic.partition(":")[2],
        "recordedAt": _plain(stored.get("timestamp")),
        "actor": stored.get("actor"),
        "correlationId": stored.get("correlation_id"),
        "reason": reason if isinstance(reason, str) and reason else None,
        "data": data,
    }


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _no_duplicate_keys(pairs: list) -> dict:
    keys = [key for key, _ in pairs]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        raise ValueError(f"a field appears twice: {', '.join(duplicated)}")
    return dict(pairs)


# -- checking --------------------------------------------------------------------


class Failed(Exception):
    """A problem, with where it is."""


def check_event(number: int, event: dict, previous_position: int, previous_link: bytes) -> bytes:
    """Check one event line; returns its chain link."""
    where = f"line {number}, position {event.get('position')}"
    fields = set(event)
    if fields != set(EVENT_FIELDS):
        extra, missing = sorted(fields - set(EVENT_FIELDS)), sorted(set(EVENT_FIELDS) - fields)
        raise Failed(f"at {where}: unexpected fields {extra}, missing fields {missing}")
    if event["eventHash"] is None:
        raise Failed(f"at {where}: the event has no chain link: it was not written by Flywheel")
    whole_numbers = ("position", "previousPosition", "originatorVersion")
    if not all(type(event[name]) is int for name in whole_numbers):
        raise Failed(f"at {where}: {', '.join(whole_numbers)} must be whole numbers")
    try:
        state = base64.b64decode(event["state"], validate=True)
    except (binascii.Error, TypeError) as error:
        raise Failed(f"at {where}: `state` is not base64: {error}") from None
    header = "{position}|{originatorId}|{originatorVersion}|{topic}|".format(**event)
    this = hashlib.sha256(header.encode() + state).digest()
    link = hashlib.sha256(previous_link + this).digest()
    if event["eventHash"] != this.hex():
        raise Failed(f"at {where}: the event's stored bytes do not match its hash")
    named = event["previousPosition"]
    if event["chainHash"] != link.hex():
        if named > previous_position:
            raise Failed(
                f"at position {named}: the event is missing from the export "
                f"(line {number}, position {event['position']}, follows it in the chain)"
            )
        raise Failed(f"at {where}: the chain link does not follow from the line before")
    if named != previous_position:
        raise Failed(f"at {where}: `previousPosition` is not the position of the line before")
    try:
        decoded = readable_fields(event["topic"], state)
    except (ValueError, AttributeError) as error:
        raise Failed(f"at {where}: the stored event cannot be read: {error}") from None
    differing = [
        name for name, value in decoded.items() if _canonical(event[name]) != _canonical(value)
    ]
    if differing:
        names = ", ".join(f"`{name}`" for name in differing)
        verb = "differs" if len(differing) == 1 else "differ"
        raise Failed(f"at {where}: {names} {verb} from the stored event")
    return link


def check_digest(digest: dict, public_key: str | None, what: str) -> None:
    fields = set(digest)
    if fields != set(DIGEST_FIELDS) or digest["version"] != DIGEST_VERSION:
        raise Failed(f"{what} is not a {DIGEST_VERSION} digest (fields {sorted(fields)})")
    if digest["algorithm"] != "Ed25519":
        raise Failed(f"{what} uses {digest['algorithm']!r}, not Ed25519")
    message = "{}|{}|{}|{}".format(
        DIGEST_VERSION, digest["position"], digest["chainHash"], digest["signedAt"]
    ).encode()
    try:
        key, signature = (
            base64.b64decode(digest[name], validate=True) for name in ("publicKey", "signature")
        )
    except (binascii.Error, TypeError):
        raise Failed(f"{what}: its key or signature is not base64") from None
    if not ed25519_verify(key, message, signature):
        raise Failed(f"{what}: its signature does not hold")
    if public_key is not None and digest["publicKey"] != public_key:
        raise Failed(f"{what} is signed by key {digest['publicKey']}, not by {public_key}")


def check_export(path: str, public_key: str | None, earlier: dict | None) -> str:
    previous_position, previous_link, events, digest = 0, bytes(32), 0, None
    earlier_link = None
    if earlier is not None:
        check_digest(earlier, public_key, "the digest given")
        earlier_link = bytes(32) if earlier["position"] == 0 else None
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            if digest is not None:
                raise Failed(f"at line {number}: lines follow the export's digest")
            try:
                entry = json.loads(line, object_pairs_hook=_no_duplicate_keys)
            except ValueError as error:
                raise Failed(f"at line {number}: not a JSON object: {error}") from None
            if not isinstance(entry, dict):
                raise Failed(f"at line {number}: not a JSON object")
            if "version" in entry:
                digest = entry
                continue
            previous_link = check_event(number, entry, previous_position, previous_link)
            previous_position = entry["position"]
            events += 1
            if earlier is not None and previous_position == earlier["position"]:
                earlier_link = previous_link
    if digest is None:
        raise Failed(
            f"the export does not end with a signed digest: it was cut short after line {events}"
        )
    check_digest(digest, public_key, "the export's digest")
    if digest["position"] != previous_position or digest["chainHash"] != previous_link.hex():
        raise Failed(
            f"the export ends at position {previous_position}, but its digest signs position "
            f"{digest['position']}: it was cut short or altered"
        )
    if earlier is not None:
        if earlier_link is None:
            raise Failed(
                f"the export does not reach the given digest's position {earlier['position']}"
            )
        if earlier_link.hex() != earlier["chainHash"]:
            raise Failed(
                f"the chain at position {earlier['position']} differs from the given digest's"
            )
    checked = (
        "the key given"
        if public_key
        else f"the key it names, {digest['publicKey']} (pass the server's as --public-key)"
    )
    return (
        f"OK: {events} events, head position {previous_position}, chain hash "
        f"{previous_link.hex()}; the digest at its end, signed on {digest['signedAt']}, "
        f"holds with {checked}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", help="the file `flywheel export --out` wrote")
    parser.add_argument(
        "--public-key",
        help="the server's Ed25519 public key (base64), or a file holding it; "
        "without it the key the digest names is used",
    )
    parser.add_argument("--digest", help="a digest saved earlier: the export must hold it too")
    arguments = parser.parse_args()
    earlier = None
    try:
        public_key = _key_argument(arguments.public_key)
        if arguments.digest:
            with open(arguments.digest, encoding="utf-8") as file:
                earlier = json.load(file)
        print(check_export(arguments.export, public_key, earlier))
    except Failed as problem:
        print(f"FAILED {problem}" if str(problem).startswith("at ") else f"FAILED: {problem}")
        return 1
    return 0


def _key_argument(value: str | None) -> str | None:
    """The key itself, or the contents of a file naming it (a digest, or the bare key)."""
    if value is None:
        return None
    try:
        if len(base64.b64decode(value, validate=True)) == 32:
            return value
    except binascii.Error:
        pass
    try:
        with open(value, encoding="utf-8") as file:
            text = file.read().strip()
    except OSError as error:
        raise Failed(f"--public-key is neither a base64 key nor a readable file: {error}") from None
    if text.startswith("{"):
        text = json.loads(text)["publicKey"]
    return text


if __name__ == "__main__":
    sys.exit(main())
