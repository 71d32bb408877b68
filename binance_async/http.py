"""HTTP transport: one connection pool per egress address, the exact signed bytes on the wire.

The pools are the library's own HTTP/1.1 (:mod:`.h1`): a REST call is one request written as
bytes and one answer read, at a fraction of a general client's CPU. They are created inside
the running loop. An aiohttp session passed in is borrowed instead: used for every request and
never closed. Either way redirects are never followed (a 3xx comes back as an answer, and the
gateway refuses it): a ``Location`` would otherwise receive the API key and a replayable signed
order. The pools never resend, so the gateway and the reconciler own every resend; a borrowed
session keeps its own behaviour, aiohttp's silent resend of a PUT or DELETE on a dropped
kept-alive connection included (the library does not change a session it does not own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import orjson
from multidict import CIMultiDict

from .encoding import encode_params, encode_value
from .endpoint import Endpoint, Security
from .errors import RequestInfo, RequestTimeout, TransportError
from .h1 import H1Error, Pool, parse_base_url
from .ratelimits import Counts
from .signing import Signer
from .transport import Reply

if TYPE_CHECKING:  # aiohttp loads with a borrowed session, or the first stream
    import aiohttp
    from yarl import URL

__all__ = ["DEFAULT_ADDRESS", "HttpTransport"]

#: Label of the single address used when no local address is configured.
DEFAULT_ADDRESS = "default"

_FORM = "application/x-www-form-urlencoded"
_FORM_LINE = f"Content-Type: {_FORM}\r\n"
#: Every request of the library's own pools names it.
_USER_AGENT = "binance_async"


class HttpTransport:
    """Binance REST over HTTP/1.1: the query string (GET, DELETE) or form body is signed."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None,
        recv_window_ms: int | float,
        local_addresses: Sequence[str] | None = None,
        connections_per_address: int = 100,
        keepalive_timeout_s: float = 30.0,
        session: aiohttp.ClientSession | None = None,
        egress_address: str | None = None,
    ) -> None:
        if session is not None and local_addresses:
            raise ValueError("a borrowed session cannot be combined with local_addresses")
        if local_addresses is not None and not local_addresses:
            raise ValueError("local_addresses is empty; pass None for the default address")
        if egress_address is not None:
            if local_addresses:
                raise ValueError(
                    "egress_address names the default address: not with local_addresses"
                )
            if (
                not egress_address
                or not egress_address.isprintable()
                or any(c.isspace() or c == "|" for c in egress_address)
            ):
                raise ValueError(
                    f"egress_address: a name without spaces or '|', got {egress_address!r}"
                )
        self.base_url = base_url.rstrip("/")
        parse_base_url(self.base_url)  # a bad one fails here, not at the first request
        self._addresses: tuple[str, ...] = tuple(
            local_addresses or (egress_address or DEFAULT_ADDRESS,)
        )
        self._local = bool(local_addresses)
        self._limit = connections_per_address
        self._keepalive_s = keepalive_timeout_s
        if api_key is not None and not (api_key.isascii() and api_key.isprintable()):
            raise ValueError("api_key: printable ASCII characters only")  # never echoed
        self._borrowed = session
        self._sessions: list[aiohttp.ClientSession] = []
        self._pools: list[Pool] = []
        self._stamp = f"recvWindow={encode_value(recv_window_ms)}&timestamp="
        # The API key goes with the requests that need one only: a public request goes
        # without. A borrowed session keeps its own User-Agent; for it each header set is a
        # CIMultiDict aiohttp need not convert.
        self._key_line = f"X-MBX-APIKEY: {api_key}\r\n" if api_key else ""
        self._key_headers = CIMultiDict({"X-MBX-APIKEY": api_key}) if api_key else None
        self._form_headers = CIMultiDict({"Content-Type": _FORM})
        self._keyed_form_headers = self._form_headers.copy()
        if self._key_headers is not None:
            self._keyed_form_headers.extend(self._key_headers)
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}
        #: Each endpoint's URL without a query, parsed once (a few dozen paths at most).
        self._urls: dict[str, URL] = {}

    @property
    def addresses(self) -> tuple[str, ...]:
        """Egress addresses; each is its own weight budget at the exchange."""
        return self._addresses

    def carries(self, endpoint: Endpoint) -> bool:
        """Every endpoint goes over HTTP."""
        return True

    @property
    def up(self) -> bool:
        """HTTP connects per request: always up."""
        return True

    def ready(self, address_index: int) -> bool:
        """HTTP connects per request: always ready."""
        return True

    async def wait_ready(self, address_index: int) -> bool:
        """Never waits: HTTP connects per request."""
        return True

    @property
    def is_open(self) -> bool:
        """True between :meth:`open` and :meth:`close`."""
        return bool(self._pools or self._sessions)

    async def open(self) -> None:
        """Create the pools (inside the running loop); with a borrowed session, use it."""
        if self.is_open:
            return
        if self._borrowed is not None:
            self._sessions = [self._borrowed]
            return
        self._pools = [
            Pool(
                self.base_url,
                limit=self._limit,
                keepalive_s=self._keepalive_s,
                local_address=address if self._local else None,
                user_agent=_USER_AGENT,
            )
            for address in self._addresses
        ]

    async def close(self) -> None:
        """Close the pools this transport created (idempotent); a borrowed session stays open."""
        pools, self._pools, self._sessions = self._pools, [], []
        for pool in pools:
            await pool.close()

    def encode(self, params: Mapping[str, Any] | None) -> str:
        """The query string (or form body) of ``params``."""
        return encode_params(params)

    def sign(self, wire: str, timestamp_ms: int, signer: Signer) -> str:
        """``wire`` with recvWindow and timestamp appended, then ``signature`` last (a base64
        signature URL-encoded: ``+`` ``/`` ``=`` are not left to be misread)."""
        payload = f"{wire}&{self._stamp}{timestamp_ms}" if wire else f"{self._stamp}{timestamp_ms}"
        signature = signer.sign(payload.encode())
        if not signer.url_safe:
            signature = quote(signature, safe="")
        return f"{payload}&signature={signature}"

    def _url(self, path: str) -> URL:
        from yarl import URL

        url = self._urls[path] = URL(f"{self.base_url}{path}", encoded=True)
        return url

    def _timeout(self, seconds: float) -> aiohttp.ClientTimeout:
        import aiohttp

        timeout = self._timeouts.get(seconds)
        if timeout is None:
            timeout = aiohttp.ClientTimeout(total=seconds)
            if len(self._timeouts) < 64:  # the configured one, and a few clipped ones
                self._timeouts[seconds] = timeout
        return timeout

    async def send(
        self,
        endpoint: Endpoint,
        wire: str,
        address_index: int,
        timeout_s: float,
        request: RequestInfo,
    ) -> Reply:
        """Send the exact bytes signed; the one place HTTP errors become ours.

        Raises :class:`RequestTimeout` or :class:`TransportError`, whose ``sent`` is False
        only when nothing left.
        """
        if not self._pools:
            if not self._sessions:
                raise TransportError(
                    "the client is closed; nothing was sent", request=request, sent=False
                )
            session = self._sessions[address_index]
            return await self._send_borrowed(session, endpoint, wire, timeout_s, request)
        pool = self._pools[address_index]
        method = endpoint.method
        key = self._key_line if endpoint.security is not Security.NONE else ""
        if method == "GET" or method == "DELETE":
            query = f"?{wire}" if wire else ""
            data = (
                f"{method} {pool.prefix}{endpoint.path}{query} HTTP/1.1\r\n{pool.common}{key}\r\n"
            ).encode()
        else:  # a form body, or none: Content-Length either way
            body = wire.encode()
            form = _FORM_LINE if wire else ""
            data = (
                f"{method} {pool.prefix}{endpoint.path} HTTP/1.1\r\n{pool.common}{key}"
                f"{form}Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
        try:
            answer = await pool.request(data, timeout_s)
        except H1Error as exc:
            if exc.timeout:
                what = (
                    "connect timeout" if exc.connecting else f"no answer within {timeout_s:.3f} s"
                )
                raise RequestTimeout(what, request=request, sent=exc.sent) from exc
            raise TransportError(str(exc), request=request, sent=exc.sent) from exc
        return _reply(answer.status, answer.headers, answer.body)

    async def _send_borrowed(
        self,
        session: aiohttp.ClientSession,
        endpoint: Endpoint,
        wire: str,
        timeout_s: float,
        request: RequestInfo,
    ) -> Reply:
        """Through the borrowed aiohttp session: the one place aiohttp errors become ours."""
        import aiohttp
        from yarl import URL

        method = endpoint.method
        keyed = endpoint.security is not Security.NONE
        if wire and (method == "GET" or method == "DELETE"):
            url = URL(f"{self.base_url}{endpoint.path}?{wire}", encoded=True)
            data = None
            headers = self._key_headers if keyed else None
        else:
            url = self._urls.get(endpoint.path) or self._url(endpoint.path)
            if wire:
                data = wire.encode()
                headers = self._keyed_form_headers if keyed else self._form_headers
            else:
                data, headers = None, self._key_headers if keyed else None
        try:
            async with session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=self._timeout(timeout_s),
                allow_redirects=False,
            ) as response:
                body = await response.read()
                status, counts = response.status, response.headers
        except aiohttp.ConnectionTimeoutError as exc:
            raise RequestTimeout("connect timeout", request=request, sent=False) from exc
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise RequestTimeout(
                f"no answer within {timeout_s:.3f} s", request=request, sent=True
            ) from exc
        except aiohttp.ClientConnectorError as exc:
            raise TransportError(
                f"cannot connect: {exc.os_error}", request=request, sent=False
            ) from exc
        except RuntimeError as exc:  # aiohttp's "Session is closed": refused before sending
            raise TransportError(
                "the client is closed; nothing was sent", request=request, sent=False
            ) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise TransportError(
                f"connection lost: {type(exc).__name__}", request=request, sent=True
            ) from exc
        return _reply(status, counts, body)


def _reply(status: int, counts: Counts, body: bytes) -> Reply:
    try:
        return Reply(status, counts, orjson.loads(body))
    except orjson.JSONDecodeError:
        return Reply(
            status, counts, None, readable=False, text=body[:500].decode("utf-8", "replace")
        )
