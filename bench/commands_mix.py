"""A realistic mix of team commands, and the two ways of running it.

Each client cycles through the life of its own team: charter it, add a dedicated
member, remove them, hand the team to a new leader; then the next team. Every
command takes or releases claims, so each one saves several aggregates in one
transaction, as real commands do. Clients never share a team, so any waiting
under concurrency is the event store's (its table lock), not retried conflicts.

The same commands run either in-process (:class:`InProcess`, straight into
``OrgCommands``) or over HTTP (:class:`OverHttp`, against ``flywheel serve``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, Literal, Protocol
from uuid import UUID

import httpx

from bench.environment import headers, token
from bench.lean_http import LeanClient
from services.api.commands import CommandContext
from services.org.rest import AddMember, AppointLeader, CharterTeam

Action = Literal["charter", "add_member", "remove_member", "appoint_leader"]
CYCLE: tuple[Action, ...] = ("charter", "add_member", "remove_member", "appoint_leader")
CHIEF = "ceo@bench.example"
LEADERSHIP = "leadership"


@dataclass(frozen=True)
class Command:
    action: Action
    round: int
    team_id: UUID | None


class Mix:
    """One client's endless cycle of team commands; ``tag`` keeps names unique."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.round = 0
        self.step = 0
        self.team_id: UUID | None = None

    def next(self) -> Command:
        return Command(CYCLE[self.step], self.round, self.team_id)

    def done(self, command: Command, answer_id: UUID) -> None:
        if command.action == "charter":
            self.team_id = answer_id
        self.step = (self.step + 1) % len(CYCLE)
        if self.step == 0:
            self.round += 1

    def name(self, command: Command) -> str:
        return f"{self.tag}-{command.round}"

    def leader(self, command: Command) -> str:
        return f"lead-{self.tag}-{command.round}@bench.example"

    def member(self, command: Command) -> str:
        return f"member-{self.tag}-{command.round}@bench.example"

    def successor(self, command: Command) -> str:
        return f"next-{self.tag}-{command.round}@bench.example"


class InProcess:
    """The commands run straight through the eventsourcing application (no HTTP)."""

    def __init__(self, database_url: str) -> None:
        from services.principal import Principal, Role
        from services.runtime import Runtime
        from services.settings import load_settings

        self._directory = TemporaryDirectory(prefix="flywheel-bench-inprocess-")
        self.runtime = Runtime.open(
            load_settings(
                {
                    "DATABASE_URL": database_url,
                    "FLYWHEEL_DATA_DIR": str(Path(self._directory.name) / "data"),
                }
            )
        )
        self.principal = Principal(CHIEF, frozenset({Role.LEADERSHIP}))  # type: ignore[arg-type]

    def close(self) -> None:
        self.runtime.close()
        self._directory.cleanup()

    def run(self, mix: Mix) -> int:
        """Run the mix's next command; returns the log position it reached."""
        from domain.org.team import Attachment
        from domain.people.values import Function

        command = mix.next()
        teams = self.runtime.org
        chief, tag = self.principal, mix.tag
        if command.action == "charter":
            outcome = teams.charter_team(
                CommandContext(chief, tag),
                CharterTeam(name=mix.name(command), mission="bench", leader=mix.leader(command)),
            )
        else:
            assert command.team_id is not None
            if command.action == "add_member":
                outcome = teams.add_member(
                    CommandContext(chief, tag),
                    command.team_id,
                    AddMember(
                        person=mix.member(command),
                        function=Function.ENGINEERING,
                        attachment=Attachment.DEDICATED,
                    ),
                )
            elif command.action == "remove_member":
                outcome = teams.remove_member(
                    CommandContext(chief, tag),
                    command.team_id,
                    person=mix.member(command),
                    reason="bench",
                )
            else:
                outcome = teams.appoint_leader(
                    CommandContext(chief, tag),
                    command.team_id,
                    AppointLeader(leader=mix.successor(command), reason="bench"),
                )
        mix.done(command, outcome.id)
        return outcome.position


class CommandFailed(RuntimeError):
    pass


class Answer(Protocol):
    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...


class Client(Protocol):
    """What :class:`OverHttp` needs of a client: httpx's ``AsyncClient`` or a
    :class:`~bench.lean_http.LeanClient`."""

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer: ...


class OverHttp:
    """The commands as REST calls on one keep-alive client (shared by concurrent tasks)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.headers = headers(token(CHIEF, LEADERSHIP))

    async def run(self, mix: Mix) -> int:
        """Send the mix's next command; returns the log position it reached."""
        command = mix.next()
        method, path, body, params = self.request(mix, command)
        response = await self.client.request(
            method, path, json=body, params=params, headers=self.headers
        )
        if response.status_code not in (200, 201):
            raise CommandFailed(f"{method} {path}: {response.status_code} {response.text}")
        answer = response.json()
        mix.done(command, UUID(answer["id"]))
        position: int = answer["position"]
        return position

    @staticmethod
    def request(
        mix: Mix, command: Command
    ) -> tuple[str, str, dict[str, Any] | None, dict[str, str] | None]:
        base = "/api/v1/teams"
        if command.action == "charter":
            body = {"name": mix.name(command), "mission": "bench", "leader": mix.leader(command)}
            return "POST", base, body, None
        team = f"{base}/{command.team_id}"
        if command.action == "add_member":
            body = {"person": mix.member(command), "function": "ENGINEERING"}
            return "POST", f"{team}/members", {**body, "attachment": "DEDICATED"}, None
        if command.action == "remove_member":
            return "DELETE", f"{team}/members/{mix.member(command)}", None, {"reason": "bench"}
        return "POST", f"{team}/leader", {"leader": mix.successor(command), "reason": "bench"}, None


def lean_client(base_url: str, connections: int) -> LeanClient:
    """The commands bench's load client: ``connections`` kept-alive connections, lean on
    CPU (bench/lean_http.py), since the bench's client shares the server's cores."""
    return LeanClient(base_url, connections)


def http_client(base_url: str, connections: int) -> httpx.AsyncClient:
    """An async client keeping ``connections`` connections alive (one per concurrent task)."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60)
