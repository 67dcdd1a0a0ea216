"""Where webhooks may be delivered: no server-side request forgery into the network.

- **Schemes.** In production only ``https``; in development also ``http``, and then
  only to a loopback address (a receiver on the developer's machine).
- **Addresses.** The host is resolved at each delivery and *every* address it
  resolves to must be allowed; the request then goes to the address that was
  checked (the host is sent as ``Host`` and as the TLS server name), so a DNS
  answer that changes between the check and the connection cannot redirect it.
  Allowed: public (globally routable) addresses, unless the operator's list names
  hosts (then only those hosts); addresses inside a network the operator's list
  names (e.g. ``10.20.0.0/16`` for an internal receiver); loopback in development.
  Never: private, link-local (cloud metadata at 169.254.169.254), multicast,
  reserved or unspecified addresses that the list does not name.

``FLYWHEEL_WEBHOOK_DESTINATIONS`` is the operator's list: comma-separated host
names (``hooks.example.com``, ``*.example.com``) and networks (``10.20.0.0/16``).
"""

from __future__ import annotations

import asyncio
import fnmatch
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from domain.errors import InvalidValue

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class DestinationRefused(Exception):
    """A delivery the operator has not allowed."""


@dataclass(frozen=True)
class Destinations:
    hosts: tuple[str, ...]
    networks: tuple[Network, ...]
    production: bool

    @classmethod
    def parse(cls, listed: str, *, production: bool) -> Destinations:
        hosts: list[str] = []
        networks: list[Network] = []
        for entry in (part.strip() for part in listed.split(",")):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.append(entry.lower().rstrip("."))
        return cls(tuple(hosts), tuple(networks), production)

    def check_url(self, url: str) -> None:
        """What registration can check without the network: the scheme, and a literal
        address. Raises :class:`InvalidValue` (a 400) for ``url``."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https":
            if self.production:
                raise InvalidValue("url", "Webhooks are delivered over https only")
            if not _is_loopback_name(host):
                raise InvalidValue(
                    "url", "Plain http is for a receiver on this machine (loopback) only"
                )
        literal = _literal(host)
        if literal is not None and not self.allows(host, literal):
            raise InvalidValue("url", f"Webhooks may not be delivered to {literal}")
        local = not self.production and _is_loopback_name(host)
        if self.hosts and literal is None and not self._host_listed(host) and not local:
            raise InvalidValue("url", f"{host} is not in FLYWHEEL_WEBHOOK_DESTINATIONS")

    def _host_listed(self, host: str) -> bool:
        return any(fnmatch.fnmatchcase(host, pattern) for pattern in self.hosts)

    def allows(self, host: str, address: Address) -> bool:
        if any(address in network for network in self.networks):
            return True
        if address.is_loopback:
            return not self.production
        if not address.is_global or address.is_multicast:
            return False
        return not self.hosts or self._host_listed(host) or _literal(host) is not None

    async def resolve(self, url: str) -> tuple[str, Address]:
        """The host of ``url`` and the address to connect to, once every address the
        host resolves to is allowed; :class:`DestinationRefused` otherwise."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if self.production and parts.scheme != "https":
            raise DestinationRefused("Webhooks are delivered over https only")
        literal = _literal(host)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                found = await asyncio.get_running_loop().getaddrinfo(
                    host,
                    parts.port or (443 if parts.scheme == "https" else 80),
                    type=socket.SOCK_STREAM,
                )
            except OSError as error:
                raise DestinationRefused(f"{host} does not resolve: {error}") from None
            addresses = [ipaddress.ip_address(info[4][0]) for info in found]
        if not addresses:
            raise DestinationRefused(f"{host} does not resolve")
        for address in addresses:
            if not self.allows(host, address):
                raise DestinationRefused(f"{host} resolves to {address}, which is not allowed")
        if parts.scheme == "http" and not all(address.is_loopback for address in addresses):
            raise DestinationRefused("Plain http is for a receiver on this machine only")
        return host, addresses[0]


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _is_loopback_name(host: str) -> bool:
    literal = _literal(host)
    return host == "localhost" if literal is None else literal.is_loopback
