"""An HTTP session that connects only to the address the SSRF check approved (no DNS rebinding window).

Modelled on requests-hardened's ``IPFilterAdapter`` (which we do not use as is: it checks only the first
resolved address and knows loopback but not operator-allowed networks). The pool key carries the checked IP
as its host, while the ``Host`` header, TLS SNI and certificate check keep the original name.
"""

from __future__ import annotations

from http.cookiejar import DefaultCookiePolicy
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from tracker.broadcast.ssrf import TargetPolicy, check_target

if TYPE_CHECKING:
    from requests.adapters import _HostParams, _PoolKwargs


class PinnedIPAdapter(HTTPAdapter):
    """Resolve, check against the policy, and connect to the checked address."""

    def __init__(self, policy: TargetPolicy, pool_maxsize: int = 10) -> None:
        """Bind the adapter to one policy; no retries (the worker schedules its own)."""
        super().__init__(max_retries=0, pool_maxsize=pool_maxsize)
        self.policy = policy

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any = None
    ) -> tuple[_HostParams, _PoolKwargs]:
        """Swap the host for its checked IP; keep the name for ``Host``, SNI and the certificate."""
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        scheme, hostname, port = host_params["scheme"], host_params["host"], host_params["port"]
        ip = check_target(scheme, hostname, port or (443 if scheme == "https" else 80), self.policy)
        # Copy: the headers object may be shared with the caller.
        headers = CaseInsensitiveDict(request.headers or {})
        host_header = f"[{hostname}]" if ":" in hostname else hostname
        if port is not None:
            host_header += f":{port}"
        headers["Host"] = host_header
        request.headers = headers
        if scheme == "https":
            # urllib3's HTTPSConnectionPool takes both; the stub's TypedDict does not list them (hence the ignores).
            pool_kwargs["assert_hostname"] = hostname  # type: ignore[typeddict-unknown-key]  # see above
            pool_kwargs["server_hostname"] = hostname  # type: ignore[typeddict-unknown-key]  # see above
        host_params["host"] = f"[{ip}]" if ip.version == 6 else str(ip)
        return host_params, pool_kwargs

    def get_connection(self, url: str | bytes, proxies: Any = None) -> Any:
        """The pre-2.32 entry point would skip the pinning; refuse it."""
        raise NotImplementedError("use get_connection_with_tls_context (requests >= 2.32.2)")


def pinned_session(policy: TargetPolicy, user_agent: str) -> requests.Session:
    """A session for one delivery: pinned adapters, no proxies or netrc from the environment, no cookies kept.

    A sender thread keeps one for all its deliveries, so a host that keeps connections open is not dialled
    again for each one; every request is still resolved and checked before it may use a pooled connection.
    """
    session = requests.Session()
    session.trust_env = False
    # Receivers' Set-Cookie must never reach the next receiver through a reused session.
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    adapter = PinnedIPAdapter(policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    return session
