"""The transport seam under the gateway's pipeline: HTTP, and the WebSocket API.

A transport owns its connections and the shape of its protocol. It builds the wire form of a
call's parameters once (:meth:`Transport.encode`), stamps and signs it the way its protocol
wants (:meth:`Transport.sign`: the query and body bytes for HTTP; the parameters sorted by name
with ``apiKey`` for the WebSocket API), sends it and reads the answer (:meth:`Transport.send`).
The answer comes back as a :class:`Reply`: status, the server's usage counts under their
canonical names (HTTP headers, or a ``rateLimits`` array turned into the same names), and the
decoded JSON. ``send`` is also where the transport's own errors become
:class:`~binance_async.errors.TransportError`, chained ``from`` the original.

A connection-oriented transport (the WebSocket API) may carry only some endpoints
(:meth:`Transport.carries`) and be down for a while (:meth:`Transport.ready`): the gateway
waits for it before stamping a request, so a reconnection never eats the recvWindow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from .endpoint import Endpoint
from .errors import RequestInfo
from .ratelimits import Counts
from .signing import Signer

__all__ = ["Reply", "Transport"]


class Reply:
    """One answer: status, usage counts, and the body decoded (``readable``) or as text."""

    __slots__ = ("counts", "data", "readable", "status", "text")

    def __init__(
        self, status: int, counts: Counts, data: Any, *, readable: bool = True, text: str = ""
    ) -> None:
        self.status = status
        self.counts = counts
        #: The decoded JSON answer (None when not ``readable``).
        self.data = data
        #: False when the body was empty or not JSON; ``text`` then holds its start.
        self.readable = readable
        self.text = text

    def __repr__(self) -> str:
        return f"<Reply {self.status} readable={self.readable}>"


class Transport(Protocol):
    """What the gateway needs from a protocol."""

    @property
    def addresses(self) -> tuple[str, ...]:
        """Egress addresses; each is its own weight budget at the exchange."""
        ...

    def carries(self, endpoint: Endpoint) -> bool:
        """Whether this transport can send ``endpoint`` (HTTP: every one)."""
        ...

    @property
    def up(self) -> bool:
        """True while some connection takes requests (HTTP: always)."""
        ...

    def ready(self, address_index: int) -> bool:
        """True while the address's connection takes requests (HTTP: always)."""
        ...

    async def wait_ready(self, address_index: int) -> bool:
        """Wait until the address's connection takes requests; False once closed."""
        ...

    async def open(self) -> None:
        """Open connections (inside the running loop)."""
        ...

    async def close(self) -> None:
        """Close what this transport opened (idempotent)."""
        ...

    def encode(self, params: Mapping[str, Any] | None) -> Any:
        """The wire form of ``params``, built once per call."""
        ...

    def sign(self, wire: Any, timestamp_ms: int, signer: Signer) -> Any:
        """``wire`` stamped with ``timestamp_ms`` and the recvWindow, and signed."""
        ...

    async def send(
        self,
        endpoint: Endpoint,
        wire: Any,
        address_index: int,
        timeout_s: float,
        request: RequestInfo,
    ) -> Reply:
        """Send ``wire`` exactly as signed and read the answer.

        Raises :class:`~binance_async.errors.TransportError` (``sent`` says whether the
        request may have reached the exchange) or its subclass ``RequestTimeout``.
        """
        ...
