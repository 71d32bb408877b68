"""A scripted, hostile USD-M futures exchange on 127.0.0.1, written with aiohttp.web only.

Independent of the client and of its simulator: it does not verify signatures, it parses the
query string and the form body (the query wins, as on the exchange) and keeps a tiny order
table. By default it answers honestly:

- ``GET /fapi/v1/time``: ``{"serverTime": <its own clock, int ms>}``;
- ``GET /fapi/v1/exchangeInfo``: a valid minimal payload (:func:`default_exchange_info`);
- ``GET /fapi/v1/ping``: ``{}``;
- ``POST /fapi/v1/order`` records the order by ``newClientOrderId`` (MARKET: FILLED, else NEW)
  and answers it; ``GET`` answers it by ``origClientOrderId`` or ``orderId`` (else -2013);
  ``DELETE`` cancels it; ``POST /fapi/v1/batchOrders`` places the items of ``batchOrders``.

A test scripts, per (method, path), the behaviours of the next requests::

    exchange.script("GET", PING, answer(429, b"{}", headers={"Retry-After": "0"}), forever=True)
    exchange.script("POST", ORDER, answer(200, b"null", execute=True))  # recorded, then "null"
    exchange.script("POST", ORDER, hang(), close_mid_body(execute=True), redirect(307, url))

and reads what arrived in ``exchange.requests`` (every request, in arrival order) and what was
accepted in ``exchange.placements`` (client order id -> accepted placements).
:class:`RecordingServer` is a second server that only records: a redirect's target.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import time
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl

import orjson
from aiohttp import web

__all__ = [
    "BATCH",
    "EXCHANGE_INFO",
    "ORDER",
    "PING",
    "TIME",
    "Answer",
    "Behaviour",
    "CloseMidBody",
    "Hang",
    "Honest",
    "HostileExchange",
    "Received",
    "RecordingServer",
    "Redirect",
    "answer",
    "close_mid_body",
    "default_exchange_info",
    "hang",
    "honest",
    "redirect",
]

TIME = "/fapi/v1/time"
PING = "/fapi/v1/ping"
EXCHANGE_INFO = "/fapi/v1/exchangeInfo"
ORDER = "/fapi/v1/order"
BATCH = "/fapi/v1/batchOrders"

#: A hanging request is answered at the latest after this long (or when the server closes).
HANG_LIMIT_S = 30.0
#: The price MARKET orders fill at.
FILL_PRICE = Decimal("50000.0")
JSON = "application/json"


def default_exchange_info() -> dict[str, Any]:
    """A valid minimal exchangeInfo: the reference default limits and one symbol, BTCUSDT."""
    return {
        "timezone": "UTC",
        "serverTime": _now_ms(),
        "rateLimits": [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
             "limit": 2400},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300},
            {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
        ],
        "exchangeFilters": [],
        "assets": [],
        "symbols": [
            {
                "symbol": "BTCUSDT",
                "pair": "BTCUSDT",
                "contractType": "PERPETUAL",
                "status": "TRADING",
                "baseAsset": "BTC",
                "quoteAsset": "USDT",
                "marginAsset": "USDT",
                "pricePrecision": 2,
                "quantityPrecision": 3,
                "orderTypes": ["LIMIT", "MARKET"],
                "timeInForce": ["GTC", "IOC", "FOK", "GTX", "GTD"],
                "filters": [
                    {"filterType": "PRICE_FILTER", "tickSize": "0.10", "minPrice": "0.10",
                     "maxPrice": "1000000"},
                    {"filterType": "LOT_SIZE", "stepSize": "0.001", "minQty": "0.001",
                     "maxQty": "1000"},
                    {"filterType": "MARKET_LOT_SIZE", "stepSize": "0.001", "minQty": "0.001",
                     "maxQty": "1000"},
                    {"filterType": "MIN_NOTIONAL", "notional": "5"},
                ],
            }
        ],
    }  # fmt: skip


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


# -- behaviours --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """Answer ``status`` with exactly ``body``; ``execute``: record the order(s) first."""

    status: int
    body: bytes
    headers: Mapping[str, str]
    content_type: str
    execute: bool


@dataclass(frozen=True)
class Honest:
    """Serve the request normally, with extra response ``headers``."""

    headers: Mapping[str, str]


@dataclass(frozen=True)
class Hang:
    """Accept the request, never answer (until the server closes); ``execute`` first."""

    execute: bool


@dataclass(frozen=True)
class CloseMidBody:
    """Send 200 headers with a Content-Length larger than what follows, then close."""

    execute: bool
    declared_length: int
    sent: bytes


@dataclass(frozen=True)
class Redirect:
    """Answer a 3xx with ``Location``."""

    status: int
    location: str


Behaviour = Answer | Honest | Hang | CloseMidBody | Redirect


def answer(
    status: int = 200,
    body: bytes | Any = b"",
    *,
    headers: Mapping[str, str] | None = None,
    content_type: str = JSON,
    execute: bool = False,
) -> Answer:
    """An exact answer; ``body`` as bytes, or any other value JSON-encoded."""
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    return Answer(status, raw, dict(headers or {}), content_type, execute)


def honest(headers: Mapping[str, str] | None = None) -> Honest:
    """The normal answer, with extra headers."""
    return Honest(dict(headers or {}))


def hang(*, execute: bool = False) -> Hang:
    """Never answer; ``execute``: record the order before hanging."""
    return Hang(execute)


def close_mid_body(*, execute: bool = False) -> CloseMidBody:
    """Headers and a few bytes of a longer body, then the connection is closed."""
    return CloseMidBody(execute, 4096, b'{"orderId": 1, "sym')


def redirect(status: int = 307, location: str = "http://127.0.0.1:9/") -> Redirect:
    """A 3xx pointing at ``location``."""
    return Redirect(status, location)


# -- what arrived ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One request as it arrived."""

    method: str
    path: str
    query: str
    body: bytes
    headers: Mapping[str, str]
    at: float  # time.monotonic() on arrival
    behaviour: str  # the scripted behaviour's class name, "Honest" by default

    @property
    def params(self) -> dict[str, str]:
        """Form body and query parameters (the query wins on a clash, as on the exchange)."""
        merged = dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        merged.update(parse_qsl(self.query, keep_blank_values=True))
        return merged

    @property
    def batch_items(self) -> list[dict[str, Any]]:
        """The items of a ``batchOrders`` parameter (empty when absent or unreadable)."""
        raw = self.params.get("batchOrders")
        if raw is None:
            return []
        try:
            items = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return []
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    def places(self, cid: str) -> bool:
        """True when this request is a placement carrying client order id ``cid``."""
        if self.method != "POST":
            return False
        if self.path == ORDER:
            return self.params.get("newClientOrderId") == cid
        if self.path == BATCH:
            return any(i.get("newClientOrderId") == cid for i in self.batch_items)
        return False

    def queries(self, cid: str) -> bool:
        """True when this request is a GET of order ``cid`` by its client order id."""
        return (
            self.method == "GET"
            and self.path == ORDER
            and self.params.get("origClientOrderId") == cid
        )


class _Server:
    """An aiohttp.web server on 127.0.0.1, port 0, that records every request."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._port = 0

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._runner is None:
            raise RuntimeError("server not started")
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._entry)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]

    async def close(self) -> None:
        """Release hanging requests and stop."""
        self._closing.set()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def received(self, method: str | None = None, path: str | None = None) -> list[Received]:
        """Requests that arrived, optionally of one method and/or path, in arrival order."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or r.path == path)
        ]

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many requests arrived (of one method and/or path)."""
        return len(self.received(method, path))

    async def _entry(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        behaviour = self._next_behaviour(request.method, request.path)
        self.requests.append(
            Received(
                method=request.method,
                path=request.path,
                query=request.query_string,
                body=body,
                headers=dict(request.headers),
                at=time.monotonic(),
                behaviour=type(behaviour).__name__,
            )
        )
        return await self._respond(request, self.requests[-1], behaviour)

    def _next_behaviour(self, method: str, path: str) -> Behaviour:
        return Honest({})

    async def _respond(
        self, request: web.Request, received: Received, behaviour: Behaviour
    ) -> web.StreamResponse:
        return web.Response(status=200, body=b"{}", content_type=JSON)


class RecordingServer(_Server):
    """Records anything it receives and answers ``200 {}``: a redirect's target."""


_ERRORS: dict[int, tuple[int, str]] = {
    -1102: (400, "Mandatory parameter was not sent, was empty/null, or malformed."),
    -1121: (400, "Invalid symbol."),
    -2011: (400, "Unknown order sent."),
    -2013: (400, "Order does not exist."),
    -4116: (400, "ClientOrderId is duplicated."),
}


def _error(code: int) -> tuple[int, dict[str, Any]]:
    status, msg = _ERRORS[code]
    return status, {"code": code, "msg": msg}


class HostileExchange(_Server):
    """The scripted exchange (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        #: Added to the exchange's own clock in time answers and order times, ms.
        self.clock_offset_ms = 0
        #: The honest exchangeInfo answer; tests may edit it.
        self.exchange_info: dict[str, Any] = default_exchange_info()
        #: Client order id -> the latest order recorded with it.
        self.orders: dict[str, dict[str, Any]] = {}
        #: Client order id -> accepted placements (more than 1: a duplicated order).
        self.placements: Counter[str] = Counter()
        self._order_ids = itertools.count(8_000_000_001)
        self._scripts: dict[tuple[str, str], deque[Behaviour]] = {}
        self._forever: dict[tuple[str, str], Behaviour] = {}

    # -- scripting -----------------------------------------------------------------------------

    def script(self, method: str, path: str, *behaviours: Behaviour, forever: bool = False) -> None:
        """Queue ``behaviours`` for the next requests to (method, path), after any queued.

        ``forever``: the last one then applies to every later request (until re-scripted).
        """
        key = (method.upper(), path)
        self._scripts.setdefault(key, deque()).extend(behaviours)
        if forever and behaviours:
            self._forever[key] = behaviours[-1]
            self._scripts[key].pop()

    def reset_script(self, method: str | None = None, path: str | None = None) -> None:
        """Forget scripted behaviours (all, or of one method and/or path): answer honestly."""
        for table in (self._scripts, self._forever):
            for key in list(table):
                if (method is None or key[0] == method.upper()) and (
                    path is None or key[1] == path
                ):
                    del table[key]

    def _next_behaviour(self, method: str, path: str) -> Behaviour:
        key = (method.upper(), path)
        queue = self._scripts.get(key)
        if queue:
            return queue.popleft()
        return self._forever.get(key, Honest({}))

    # -- reading back --------------------------------------------------------------------------

    def order_events(self, cid: str) -> list[Received]:
        """The placements and client-order-id queries of ``cid``, in arrival order."""
        return [r for r in self.requests if r.places(cid) or r.queries(cid)]

    def blind_resends(self, cid: str) -> int:
        """Placements of ``cid`` sent again with no query of ``cid`` since the previous one."""
        blind, placed, queried = 0, False, False
        for r in self.order_events(cid):
            if r.places(cid):
                if placed and not queried:
                    blind += 1
                placed, queried = True, False
            else:
                queried = True
        return blind

    def server_time_ms(self) -> int:
        """The exchange's clock, ms."""
        return _now_ms() + self.clock_offset_ms

    # -- the order table -----------------------------------------------------------------------

    def place(self, params: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """Place one order from wire parameters: (status, the order or a Binance error)."""
        symbol = params.get("symbol")
        side, kind = params.get("side"), params.get("type")
        if symbol != "BTCUSDT":
            return _error(-1121)
        if side not in ("BUY", "SELL") or kind not in ("LIMIT", "MARKET"):
            return _error(-1102)
        try:
            qty = Decimal(str(params.get("quantity")))
            price = Decimal(str(params.get("price", "0")))
        except InvalidOperation:
            return _error(-1102)
        cid = str(params.get("newClientOrderId") or f"srv-{next(self._order_ids)}")
        held = self.orders.get(cid)
        if held is not None and held["status"] in ("NEW", "PARTIALLY_FILLED"):
            return _error(-4116)
        market = kind == "MARKET"
        order = {
            "orderId": next(self._order_ids),
            "clientOrderId": cid,
            "symbol": symbol,
            "status": "FILLED" if market else "NEW",
            "side": side,
            "type": kind,
            "price": "0" if market else str(price),
            "origQty": str(qty),
            "executedQty": str(qty) if market else "0",
            "avgPrice": str(FILL_PRICE) if market else "0.00",
            "cumQuote": str(qty * FILL_PRICE) if market else "0",
            "timeInForce": params.get("timeInForce", "GTC"),
            "reduceOnly": str(params.get("reduceOnly", "false")).lower() == "true",
            "closePosition": False,
            "positionSide": params.get("positionSide", "BOTH"),
            "updateTime": self.server_time_ms(),
        }
        self.orders[cid] = order
        self.placements[cid] += 1
        return 200, dict(order)

    def _find(self, params: Mapping[str, str]) -> dict[str, Any] | None:
        cid = params.get("origClientOrderId")
        if cid is not None:
            return self.orders.get(cid)
        try:
            order_id = int(params.get("orderId", ""))
        except ValueError:
            return None
        return next((o for o in self.orders.values() if o["orderId"] == order_id), None)

    def _place_batch(self, params: Mapping[str, str]) -> tuple[int, Any]:
        try:
            items = orjson.loads(params.get("batchOrders", ""))
        except orjson.JSONDecodeError:
            return _error(-1102)
        if not isinstance(items, list) or not 1 <= len(items) <= 5:
            return _error(-1102)
        return 200, [self.place(i)[1] if isinstance(i, dict) else _error(-1102)[1] for i in items]

    def _execute(self, received: Received) -> None:
        """Do what the request asks, answer aside ("after executing")."""
        if received.method == "POST" and received.path == ORDER:
            self.place(received.params)
        elif received.method == "POST" and received.path == BATCH:
            self._place_batch(received.params)
        elif received.method == "DELETE" and received.path == ORDER:
            order = self._find(received.params)
            if order is not None and order["status"] == "NEW":
                order["status"] = "CANCELED"

    def _honest(self, received: Received) -> tuple[int, Any]:
        method, path, params = received.method, received.path, received.params
        if method == "GET" and path == TIME:
            return 200, {"serverTime": self.server_time_ms()}
        if method == "GET" and path == PING:
            return 200, {}
        if method == "GET" and path == EXCHANGE_INFO:
            return 200, copy.deepcopy(self.exchange_info)
        if path == ORDER and method == "POST":
            return self.place(params)
        if path == ORDER and method == "GET":
            order = self._find(params)
            return (200, dict(order)) if order is not None else _error(-2013)
        if path == ORDER and method == "DELETE":
            order = self._find(params)
            if order is None or order["status"] != "NEW":
                return _error(-2011)
            order["status"] = "CANCELED"
            order["updateTime"] = self.server_time_ms()
            return 200, dict(order)
        if path == BATCH and method == "POST":
            return self._place_batch(params)
        return 404, {"code": -1, "msg": f"no such endpoint: {method} {path}"}

    # -- answering -----------------------------------------------------------------------------

    async def _respond(
        self, request: web.Request, received: Received, behaviour: Behaviour
    ) -> web.StreamResponse:
        if isinstance(behaviour, Honest):
            status, payload = self._honest(received)
            return web.Response(
                status=status,
                body=orjson.dumps(payload),
                content_type=JSON,
                headers=behaviour.headers,
            )
        if isinstance(behaviour, Redirect):
            return web.Response(status=behaviour.status, headers={"Location": behaviour.location})
        if behaviour.execute:
            self._execute(received)
        if isinstance(behaviour, Answer):
            return web.Response(
                status=behaviour.status,
                body=behaviour.body,
                headers={**behaviour.headers, "Content-Type": behaviour.content_type},
            )
        if isinstance(behaviour, Hang):
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(HANG_LIMIT_S):
                    await self._closing.wait()
            return web.Response(status=503, body=b"", content_type=JSON)
        return await self._close_mid_body(request, behaviour)

    @staticmethod
    async def _close_mid_body(request: web.Request, behaviour: CloseMidBody) -> web.Response:
        """Write a raw response head promising more bytes than follow, then drop the line."""
        transport = request.transport
        assert transport is not None
        head = (
            "HTTP/1.1 200 OK\r\n"
            f"Content-Type: {JSON}\r\n"
            f"Content-Length: {behaviour.declared_length}\r\n"
            "\r\n"
        ).encode()
        transport.write(head + behaviour.sent)
        await asyncio.sleep(0.01)  # let the bytes leave before the close
        transport.close()
        # The connection is gone: aiohttp cannot send this, nor anything else.
        raise asyncio.CancelledError
