"""SSRF defence for user-registered webhook URLs: one rule set for registration and for every delivery.

A target is allowed when *every* address its host resolves to is public (``is_global``, not multicast, not in
the extra ranges below) or lies inside the operator's ``WEBHOOK_ALLOWED_NETWORKS``. Plain http is allowed
only when HTTPS is not required or every address is inside the allowed networks. The sender then connects to
the address that was checked (``transport.PinnedIPAdapter``), so DNS cannot change between check and connect.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

from tracker.errors import DomainError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_URL_LENGTH = 1000

# Ranges Python's ``is_global`` lets through (or got wrong before 3.12/3.11.8) that still reach internal or
# translated hosts (the Discourse/requests-hardened lists of special-purpose blocks).
EXTRA_BLOCKED: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT: often routes to internal workloads
        "192.0.0.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "198.18.0.0/15",  # benchmarking
        "240.0.0.0/4",
        "64:ff9b::/96",  # NAT64: an IPv6 name for any IPv4 address, private ones included
        "64:ff9b:1::/48",
        "2001::/32",  # Teredo
        "2002::/16",  # 6to4
        "2001:20::/28",
        "5f00::/16",
        "3fff::/20",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",  # deprecated IPv6 site-local: Python calls it global, networks still route it internally
    )
)


class TargetRefused(DomainError):
    """A webhook target that may not be used: a code; ``message`` words it (Danish in the delivery log)."""


@dataclass(frozen=True)
class TargetPolicy:
    """What the operator allows: networks exempt from the public-address rule, and whether https is required."""

    allowed_networks: tuple[IPNetwork, ...] = ()
    require_https: bool = True


def parse_networks(raw: str | Iterable[str] | None) -> tuple[IPNetwork, ...]:
    """Comma-separated CIDRs (or a list of them) → networks; a bad entry is a ``ValueError`` naming it."""
    if raw is None:
        return ()
    parts = raw.split(",") if isinstance(raw, str) else list(raw)
    networks = []
    for part in parts:
        text = str(part).strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as exc:
            raise ValueError(f"WEBHOOK_ALLOWED_NETWORKS: {text!r} is not a CIDR network") from exc
    return tuple(networks)


def policy_from_config(config: Mapping[str, Any]) -> TargetPolicy:
    """The policy of an app's configuration (``WEBHOOK_ALLOWED_NETWORKS``, ``WEBHOOK_REQUIRE_HTTPS``)."""
    return TargetPolicy(
        allowed_networks=parse_networks(config.get("WEBHOOK_ALLOWED_NETWORKS")),
        require_https=bool(config.get("WEBHOOK_REQUIRE_HTTPS", True)),
    )


def _unwrap(ip: IPAddress) -> IPAddress:
    """The IPv4 address hidden in an IPv4-mapped IPv6 address (``::ffff:127.0.0.1``), else the address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def in_allowed(ip: IPAddress, policy: TargetPolicy) -> bool:
    """Whether the operator exempted this address."""
    candidates = {ip, _unwrap(ip)}
    return any(c.version == net.version and c in net for c in candidates for net in policy.allowed_networks)


def is_public(ip: IPAddress) -> bool:
    """A globally routable unicast address outside every special-purpose block."""
    ip = _unwrap(ip)
    if not ip.is_global or ip.is_multicast or ip.is_unspecified or ip.is_reserved or ip.is_loopback:
        return False
    return not any(ip.version == net.version and ip in net for net in EXTRA_BLOCKED)


def split_url(url: str) -> tuple[SplitResult, str, int]:
    """Parse and check the URL's form: scheme, host, port, no credentials; returns (parts, host, port)."""
    if not isinstance(url, str) or not url.strip():
        raise TargetRefused("broadcast.url_missing")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused("broadcast.url_too_long", max_url_length=MAX_URL_LENGTH)
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise TargetRefused("broadcast.url_has_space_or_control")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused("broadcast.url_unparsable") from exc
    if parts.scheme not in {"http", "https"}:
        raise TargetRefused("broadcast.url_scheme_not_http")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("broadcast.url_has_credentials")
    if parts.fragment:
        raise TargetRefused("broadcast.url_has_fragment")
    host = parts.hostname or ""
    if not host:
        raise TargetRefused("broadcast.url_host_missing")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise TargetRefused("broadcast.host_name_invalid") from exc
    if port == 0:
        raise TargetRefused("broadcast.url_port_zero")
    return parts, host, port or (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host resolves to (numeric forms like ``2130706433`` or ``0x7f.1`` included)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused("broadcast.host_not_resolved", host=host) from exc
    except OSError as exc:
        raise TargetRefused("broadcast.host_lookup_failed", host=host, exc=exc) from exc
    addresses: list[IPAddress] = []
    for family, _type, _proto, _canon, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise TargetRefused("broadcast.host_has_no_address", host=host)
    return addresses


def check_addresses(host: str, scheme: str, addresses: Sequence[IPAddress], policy: TargetPolicy) -> IPAddress:
    """Refuse unless every address is allowed (one bad record spoils the host); returns the one to pin."""
    for ip in addresses:
        if not (in_allowed(ip, policy) or is_public(ip)):
            shown = host if host == str(ip) else f"{host} ({ip})"
            raise TargetRefused("broadcast.address_not_public", shown=shown)
    if scheme != "https" and policy.require_https and not all(in_allowed(ip, policy) for ip in addresses):
        raise TargetRefused("broadcast.url_https_required")
    return addresses[0]


def check_target(scheme: str, host: str, port: int, policy: TargetPolicy) -> IPAddress:
    """Resolve once and check; the returned address is the one to connect to."""
    return check_addresses(host, scheme, resolve(host, port), policy)


def check_url(url: str, policy: TargetPolicy) -> str:
    """The normalised URL if it may be registered; ``TargetRefused`` with the reason otherwise."""
    parts, host, port = split_url(url)
    check_target(parts.scheme, host, port, policy)
    return parts.geturl()
