"""The SSRF rules: by default every non-public target is refused with a reason; only configured networks pass."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.broadcast.ssrf import (
    TargetPolicy,
    TargetRefused,
    check_url,
    is_public,
    parse_networks,
    policy_from_config,
)

DEFAULT = TargetPolicy()
FORBIDDEN_URLS = [
    "https://127.0.0.1/",
    "https://127.0.0.1:8443/hook",
    "https://127.1/",
    "https://2130706433/",  # decimal 127.0.0.1
    "https://0x7f000001/",  # hex
    "https://0177.0.0.1/",  # octal
    "https://0x7f.0.0.1/",
    "https://localhost/",
    "https://LOCALHOST./",
    "https://[::1]/",
    "https://[0:0:0:0:0:0:0:1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:7f00:1]/",
    "https://0.0.0.0/",
    "https://0/",
    "https://[::]/",
    "https://10.0.0.1/",
    "https://10.255.255.254/",
    "https://172.16.0.1/",
    "https://172.31.255.1/",
    "https://192.168.1.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://[fe80::1]/",
    "https://[fc00::1]/",
    "https://[fec0::1]/",  # deprecated site-local, which Python's is_global lets through
    "https://[fd12:3456::1]/",
    "https://100.64.0.1/",
    "https://198.18.0.1/",
    "https://224.0.0.1/",
    "https://255.255.255.255/",
    "https://240.0.0.1/",
    "https://[ff02::1]/",
    "https://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
    "https://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "https://192.0.2.10/",  # documentation range
]


@pytest.mark.parametrize("url", FORBIDDEN_URLS)
def test_non_public_targets_are_refused_by_default(url: str) -> None:
    with pytest.raises(TargetRefused) as info:
        check_url(url, DEFAULT)
    assert "ikke offentlig" in info.value.message or "DNS" in info.value.message


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://example.org/", "https://"),
        ("javascript:alert(1)", "https://"),
        ("https://user:pw@1.1.1.1/", "brugernavn"),
        ("https://1.1.1.1/#x", "fragment"),
        ("https:///nohost", "værtsnavn"),
        ("https://1.1.1.1:99999/", "port"),
        ("https://[::1/", "forstås"),
        ("https://1.1.1.1/a b", "mellemrum"),
        ("", "Angiv"),
        ("https://" + "a" * 1000 + ".dk/", "for lang"),
        ("http://1.1.1.1/", "https://"),
        ("https://does-not-exist.invalid/", "DNS"),
    ],
)
def test_malformed_or_unresolvable_urls_are_refused_with_a_reason(url: str, words: str) -> None:
    with pytest.raises(TargetRefused) as info:
        check_url(url, DEFAULT)
    assert words in info.value.message


def test_public_address_over_https_is_accepted() -> None:
    assert check_url("https://1.1.1.1/hook?x=1", DEFAULT) == "https://1.1.1.1/hook?x=1"
    assert check_url("https://[2606:4700:4700::1111]/", DEFAULT)


def test_allowed_networks_open_exactly_those_addresses_and_allow_http_there() -> None:
    policy = policy_from_config({"WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32", "WEBHOOK_REQUIRE_HTTPS": True})
    assert check_url("http://127.0.0.1:9999/hook", policy)
    assert check_url("http://[::ffff:127.0.0.1]:9999/hook", policy)
    for url in ("http://127.0.0.2/", "https://10.0.0.1/", "https://[::1]/"):
        with pytest.raises(TargetRefused):
            check_url(url, policy)
    with pytest.raises(TargetRefused, match="https"):
        check_url("http://1.1.1.1/", policy)


def test_bad_network_configuration_is_named() -> None:
    with pytest.raises(ValueError, match="not-a-net"):
        parse_networks("127.0.0.1/32, not-a-net")
    assert parse_networks("") == ()


def _resolver_answers(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> None:
    """Every name resolves to ``addresses`` (the resolver is stubbed: no network)."""

    def answers(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", answers)


def test_one_private_record_spoils_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name answering public *and* private addresses is refused."""
    _resolver_answers(monkeypatch, "93.184.216.34", "10.1.2.3")
    with pytest.raises(TargetRefused, match=r"10\.1\.2\.3"):
        check_url("https://mixed.example/", DEFAULT)


def test_plain_http_needs_every_address_allowed_not_just_some(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name answering an allowed address *and* a public one still needs https."""
    _resolver_answers(monkeypatch, "127.0.0.1", "93.184.216.34")
    policy = policy_from_config({"WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32", "WEBHOOK_REQUIRE_HTTPS": True})
    with pytest.raises(TargetRefused, match="https"):
        check_url("http://split.example/hook", policy)
    assert check_url("https://split.example/hook", policy) == "https://split.example/hook"


FORBIDDEN_NETWORKS = [
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "0.0.0.0/8",
    "224.0.0.0/4",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_no_address_of_a_forbidden_network_is_public(data: st.DataObject) -> None:
    network = data.draw(st.sampled_from(FORBIDDEN_NETWORKS))
    ip = data.draw(st.ip_addresses(network=network))
    assert not is_public(ip)
    if ip.version == 4:
        assert not is_public(ipaddress.IPv6Address(f"::ffff:{ip}"))
