"""A scripted Spot exchange on 127.0.0.1, written with aiohttp.web only.

Independent of the client and of the simulator: it checks no signature and keeps no orders.
It answers ``GET /api/v3/time`` from its own clock and ``GET /api/v3/exchangeInfo`` with
:data:`EXCHANGE_INFO` (rate limits and one symbol, BTCUSDT, with every Spot filter); every
other request is recorded and answered from the script of its route, in order::

    fake.script("POST", "/api/v3/order/cancelReplace", (409, {"code": -2021, ...}))
    fake.script("GET", "/api/v3/order", (400, {"code": -2013, "msg": "..."}), forever=True,
                where={"origClientOrderId": "r-1"})

A script with ``where`` answers only requests carrying those parameters. A request no script
answers gets a 404. ``fake.sent(method, path)`` is what arrived there, each
as its parameters (query and form body).
"""

from __future__ import annotations

import copy
import time
from collections import deque
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl

import orjson
from aiohttp import web

__all__ = ["EXCHANGE_INFO", "SYMBOL", "FakeSpot", "Sent"]

#: One symbol with every Spot filter the client checks (values from the filters page).
SYMBOL: dict[str, Any] = {
    "symbol": "BTCUSDT",
    "status": "TRADING",
    "baseAsset": "BTC",
    "baseAssetPrecision": 8,
    "quoteAsset": "USDT",
    "quoteAssetPrecision": 8,
    "orderTypes": [
        "LIMIT",
        "LIMIT_MAKER",
        "MARKET",
        "STOP_LOSS",
        "STOP_LOSS_LIMIT",
        "TAKE_PROFIT",
        "TAKE_PROFIT_LIMIT",
    ],
    "icebergAllowed": True,
    "ocoAllowed": True,
    "otoAllowed": True,
    "quoteOrderQtyMarketAllowed": True,
    "allowTrailingStop": True,
    "cancelReplaceAllowed": True,
    "isSpotTradingAllowed": True,
    "filters": [
        {
            "filterType": "PRICE_FILTER",
            "minPrice": "0.01000000",
            "maxPrice": "1000000.00000000",
            "tickSize": "0.01000000",
        },
        {
            "filterType": "LOT_SIZE",
            "minQty": "0.00001000",
            "maxQty": "9000.00000000",
            "stepSize": "0.00001000",
        },
        {
            "filterType": "MARKET_LOT_SIZE",
            "minQty": "0.00000000",
            "maxQty": "100.00000000",
            "stepSize": "0.00000000",
        },
        {"filterType": "ICEBERG_PARTS", "limit": 10},
        {
            "filterType": "TRAILING_DELTA",
            "minTrailingAboveDelta": 10,
            "maxTrailingAboveDelta": 2000,
            "minTrailingBelowDelta": 10,
            "maxTrailingBelowDelta": 2000,
        },
        {
            "filterType": "PERCENT_PRICE_BY_SIDE",
            "bidMultiplierUp": "5",
            "bidMultiplierDown": "0.2",
            "askMultiplierUp": "5",
            "askMultiplierDown": "0.2",
            "avgPriceMins": 5,
        },
        {
            "filterType": "NOTIONAL",
            "minNotional": "5.00000000",
            "applyMinToMarket": True,
            "maxNotional": "9000000.00000000",
            "applyMaxToMarket": False,
            "avgPriceMins": 5,
        },
        {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
        {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
    ],
    "permissions": [],
    "permissionSets": [["SPOT"]],
    "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
    "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
}
EXCHANGE_INFO: dict[str, Any] = {
    "timezone": "UTC",
    "serverTime": 1565246363776,
    "rateLimits": [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
        {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000},
    ],
    "exchangeFilters": [],
    "symbols": [SYMBOL],
}

Answer = tuple[int, Any]


class Sent(dict[str, str]):
    """One request's parameters (query and form body, the query winning), as received."""


class FakeSpot:
    """The scripted exchange; ``async with FakeSpot() as fake: fake.url``."""

    def __init__(self, exchange_info: dict[str, Any] | None = None) -> None:
        self.exchange_info = copy.deepcopy(exchange_info or EXCHANGE_INFO)
        self.requests: list[tuple[str, str, Sent]] = []
        self._scripts: dict[tuple[str, str], list[tuple[dict[str, str], deque[Answer]]]] = {}
        self._runner: web.AppRunner | None = None
        self.url = ""

    def script(
        self,
        method: str,
        path: str,
        *answers: Answer,
        forever: bool = False,
        where: dict[str, str] | None = None,
    ) -> None:
        """Answer the next requests of a route (those carrying ``where``'s parameters) with
        ``answers``; with ``forever`` the last one answers every request after."""
        queue: deque[Answer] = deque(answers)
        if forever:
            queue = _Forever(answers)
        self._scripts.setdefault((method, path), []).append((where or {}, queue))

    def sent(self, method: str, path: str) -> list[Sent]:
        """What arrived on a route, in order."""
        return [p for m, r, p in self.requests if (m, r) == (method, path)]

    def others(self) -> list[tuple[str, str]]:
        """Every route called but time and exchangeInfo."""
        quiet = {"/api/v3/time", "/api/v3/exchangeInfo"}
        return [(m, r) for m, r, _ in self.requests if r not in quiet]

    async def _handle(self, request: web.Request) -> web.Response:
        body = (await request.read()).decode()
        params = Sent(parse_qsl(body, keep_blank_values=True))
        params.update(parse_qsl(request.query_string, keep_blank_values=True))
        self.requests.append((request.method, request.path, params))
        if request.path == "/api/v3/time":
            return _json(200, {"serverTime": time.time_ns() // 1_000_000})
        if request.path == "/api/v3/exchangeInfo":
            return _json(200, self.exchange_info)
        for where, queue in self._scripts.get((request.method, request.path), ()):
            if queue and where.items() <= params.items():
                return _json(*queue.popleft())
        return _json(404, {"code": -1, "msg": "not scripted"})

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class _Forever(deque[Answer]):
    """Answers whose last one stays."""

    def popleft(self) -> Answer:
        return super().popleft() if len(self) > 1 else self[0]


def _json(status: int, body: Any) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")
