#!/usr/bin/env python3
"""Check a Flywheel event-log export without Flywheel (Python 3.8+, standard library only).

    python3 verify_export.py events.ndjson [--digest digest.json]

For every line it recomputes the event's hash from its stored columns and the
chain link from the previous link, and compares both with the export:

    event_hash = SHA-256( f"{position}|{originatorId}|{originatorVersion}|{topic}|" + state )
    chain_hash = SHA-256( previous chain_hash + event_hash )   (first previous: 32 zero bytes)

``state`` is the stored event's bytes, base64-encoded in the export. With
``--digest`` it also checks that the chain hash at the digest's position is the
one the digest names (verify the digest's Ed25519 signature separately, e.g.
with `flywheel verify --digest`, or any Ed25519 library over the message
``flywheel-digest-v1|{position}|{chainHash}|{signedAt}``).
Exit status 0 when everything holds, 1 at the first problem.
"""

import argparse
import base64
import hashlib
import json
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export")
    parser.add_argument("--digest")
    arguments = parser.parse_args()
    digest = None
    if arguments.digest:
        with open(arguments.digest, encoding="utf-8") as file:
            digest = json.load(file)

    previous = bytes(32)
    lines = 0
    seen_digest_position = False
    with open(arguments.export, encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            event = json.loads(line)
            header = "{position}|{originatorId}|{originatorVersion}|{topic}|".format(**event)
            this = hashlib.sha256(header.encode() + base64.b64decode(event["state"])).digest()
            if event["eventHash"] != this.hex():
                return fail(number, event, "the event's bytes do not match its hash")
            previous = hashlib.sha256(previous + this).digest()
            if event["chainHash"] != previous.hex():
                return fail(number, event, "the chain link does not follow from the one before")
            if digest is not None and event["position"] == digest["position"]:
                seen_digest_position = True
                if digest["chainHash"] != previous.hex():
                    return fail(number, event, "the chain differs from the digest's")
            lines += 1
    if digest is not None and not seen_digest_position:
        print(f"FAILED: the export does not reach the digest's position {digest['position']}")
        return 1
    print(f"OK: {lines} events, head chain hash {previous.hex()}")
    return 0


def fail(number: int, event: dict, problem: str) -> int:
    print(f"FAILED at line {number}, position {event.get('position')}: {problem}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
