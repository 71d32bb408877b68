"""One aiohttp session per egress address, created inside the running loop.

A session passed in is borrowed: the pool uses it and never closes it.
"""

from __future__ import annotations

from collections.abc import Sequence

import aiohttp

__all__ = ["DEFAULT_ADDRESS", "SessionPool"]

#: Label of the single address used when no local address is configured.
DEFAULT_ADDRESS = "default"


class SessionPool:
    """Sessions by egress address; each address has its own weight budget at the exchange."""

    def __init__(
        self,
        *,
        local_addresses: Sequence[str] | None = None,
        connections_per_address: int = 100,
        keepalive_timeout_s: float = 30.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        if session is not None and local_addresses:
            raise ValueError("a borrowed session cannot be combined with local_addresses")
        if local_addresses is not None and not local_addresses:
            raise ValueError("local_addresses is empty; pass None for the default address")
        self.addresses: tuple[str, ...] = tuple(local_addresses or (DEFAULT_ADDRESS,))
        self._local = bool(local_addresses)
        self._limit = connections_per_address
        self._keepalive_s = keepalive_timeout_s
        self._borrowed = session
        self.sessions: list[aiohttp.ClientSession] = []

    @property
    def is_open(self) -> bool:
        """True between :meth:`open` and :meth:`close`."""
        return bool(self.sessions)

    async def open(self) -> None:
        """Create the sessions (inside the running loop)."""
        if self.sessions:
            return
        if self._borrowed is not None:
            self.sessions = [self._borrowed]
            return
        for address in self.addresses:
            connector = aiohttp.TCPConnector(
                limit=self._limit,
                keepalive_timeout=self._keepalive_s,
                local_addr=(address, 0) if self._local else None,
                ttl_dns_cache=300,
            )
            session = aiohttp.ClientSession(connector=connector, skip_auto_headers=("User-Agent",))
            _no_blind_resend(session)
            self.sessions.append(session)

    async def close(self) -> None:
        """Close the sessions this pool created (idempotent); borrowed ones stay open."""
        sessions, self.sessions = self.sessions, []
        if self._borrowed is not None:
            return
        for session in sessions:
            await session.close()


def _no_blind_resend(session: aiohttp.ClientSession) -> None:
    """Stop aiohttp resending PUT/DELETE by itself when a kept-alive connection drops.

    aiohttp treats PUT and DELETE as idempotent and silently sends them once more; for a
    cancel or a modify that is a resend nobody decided on. The gateway and the reconciler
    own every resend. aiohttp offers no public switch, so this sets its private flag where
    it exists (tests/test_pool.py pins that it still does).
    """
    if hasattr(session, "_retry_connection"):
        session._retry_connection = False
