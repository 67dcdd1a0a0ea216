"""The image's HEALTHCHECK, run as Docker would run it, against a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dockerfile_parse import DockerfileParser

from tests.e2e.conftest import FlywheelServer, free_port

DOCKERFILE = Path(__file__).resolve().parents[2] / "deploy" / "Dockerfile"


def health_check() -> list[str]:
    """The exec form after ``CMD`` in the final stage's HEALTHCHECK."""
    (value,) = [
        line["value"]
        for line in DockerfileParser(str(DOCKERFILE)).structure
        if line["instruction"] == "HEALTHCHECK"
    ]
    command: list[str] = json.loads(value.split(" CMD ", 1)[1])
    assert command[0] == "python", "the image has no curl; Python is there"
    return [sys.executable, *command[1:]]


def run(port: int) -> int:
    env = {**os.environ, "FLYWHEEL_PORT": str(port)}
    return subprocess.run(health_check(), env=env, capture_output=True, timeout=30).returncode


def test_the_health_check_passes_on_a_serving_process_and_fails_without_one(
    server: FlywheelServer,
) -> None:
    assert run(server.port) == 0
    assert run(free_port()) != 0
