"""The simulator's Spot WebSocket API (/ws-api/v3): answers as REST's, sorted-parameter
signing with every key type, sessions, the weight it shares with Spot REST (not futures'),
rateLimits with the ORDERS windows, 429/418 with retryAfter, and faults.

Frames and signatures are written by hand (``test_sim_wsapi.Ws``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal as D
from typing import Any

import aiohttp
import pytest

from binance_async.testing import Credentials, Simulator
from binance_async.testing.spot import SpotConfig, SpotRateLimitConfig

from .conftest import RawClient
from .test_sim_wsapi import Ws

T0 = 1_700_000_040_000  # a multiple of 60 s
NOW = T0 + 2500
IP = "127.0.0.1"
ORDER = ("POST", "/api/v3/order")
LIMIT = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.01",
    "price": "49000",
}
WEIGHT = {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1}
ORDERS_10S = {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50}
ORDERS_1D = {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 160000}


@pytest.fixture(autouse=True)
def frozen(sim: Simulator) -> None:
    """Freeze the exchange clock 2.5 s into a minute."""
    sim.clock.freeze(NOW)


@pytest.fixture
async def ws(session: aiohttp.ClientSession, sim: Simulator) -> AsyncIterator[Ws]:
    """A connection to Spot's WebSocket API."""
    async with session.ws_connect(sim.spot_ws_api_url) as conn:
        yield Ws(conn, sim)


def limits(answer: dict[str, Any]) -> list[dict[str, Any]]:
    rate_limits: list[dict[str, Any]] = answer["rateLimits"]
    return rate_limits


async def test_order_methods_answer_as_rest_and_share_spot_weight(
    ws: Ws, sim: Simulator, creds: Credentials, client: RawClient
) -> None:
    """order.place answers REST's FULL body and the ORDERS counts; status, openOrders, cancel,
    cancelReplace, account and rateLimits.orders are the REST endpoints with their weights,
    on Spot's ledger shared with REST (the handshake costs 2), never on the futures one."""
    assert sim.spot.used_weight(IP) == 2 and sim.used_weight(IP) == 0
    placed = await ws.call(
        "order.place",
        ws.signed(creds, {**LIMIT, "newClientOrderId": "w-1", "newOrderRespType": "FULL"}),
    )
    order_id = sim.spot_order(client_order_id="w-1").order_id  # type: ignore[union-attr]
    assert placed == {
        "id": 1,
        "status": 200,
        "result": {
            "symbol": "BTCUSDT",
            "orderId": order_id,
            "orderListId": -1,
            "clientOrderId": "w-1",
            "transactTime": NOW,
            "price": "49000.00000000",
            "origQty": "0.01000000",
            "executedQty": "0.00000000",
            "origQuoteOrderQty": "0.00000000",
            "cummulativeQuoteQty": "0.00000000",
            "status": "NEW",
            "timeInForce": "GTC",
            "type": "LIMIT",
            "side": "BUY",
            "workingTime": NOW,
            "fills": [],
            "selfTradePreventionMode": "EXPIRE_MAKER",
        },
        "rateLimits": [
            {**WEIGHT, "limit": 6000, "count": 3},
            {**ORDERS_10S, "count": 1},
            {**ORDERS_1D, "count": 1},
        ],
    }
    status = await ws.call(
        "order.status", ws.signed(creds, {"symbol": "BTCUSDT", "origClientOrderId": "w-1"})
    )
    assert status["result"]["status"] == "NEW" and status["result"]["isWorking"] is True
    assert limits(status) == [{**WEIGHT, "limit": 6000, "count": 7}]
    opened = await ws.call("openOrders.status", ws.signed(creds, {"symbol": "BTCUSDT"}))
    assert [o["clientOrderId"] for o in opened["result"]] == ["w-1"]
    replaced = await ws.call(
        "order.cancelReplace",
        ws.signed(
            creds,
            {
                **LIMIT,
                "price": "48000",
                "cancelReplaceMode": "STOP_ON_FAILURE",
                "cancelOrigClientOrderId": "w-1",
                "newClientOrderId": "w-2",
            },
        ),
    )
    result = replaced["result"]
    assert (result["cancelResult"], result["newOrderResult"]) == ("SUCCESS", "SUCCESS")
    assert result["cancelResponse"]["origClientOrderId"] == "w-1"
    cancelled = await ws.call(
        "order.cancel", ws.signed(creds, {"symbol": "BTCUSDT", "origClientOrderId": "w-2"})
    )
    assert cancelled["result"]["status"] == "CANCELED"
    account = await ws.call("account.status", ws.signed(creds, {}))
    usdt = [b for b in account["result"]["balances"] if b["asset"] == "USDT"]
    assert usdt == [{"asset": "USDT", "free": "100000.00000000", "locked": "0.00000000"}]
    usage = await ws.call("account.rateLimits.orders", ws.signed(creds, {}))
    assert usage["result"][0] == {**ORDERS_10S, "count": 2}
    # 2 + 1 + 4 + 6 + 1 + 1 + 20 + 40, then REST's own time (1) on the same ledger
    assert limits(usage)[0]["count"] == 75
    reply = await client.public("GET", "/api/v3/time")
    assert reply.headers["X-MBX-USED-WEIGHT-1M"] == "76"
    assert sim.used_weight(IP) == 0  # futures' ledger untouched


async def test_market_data_methods(ws: Ws, sim: Simulator) -> None:
    """ping, time, exchangeInfo (``symbols`` as a JSON array), depth (its limit's weight),
    trades.aggregate and avgPrice answer REST's bodies without a key."""
    assert (await ws.call("ping"))["result"] == {}
    assert (await ws.call("time"))["result"] == {"serverTime": NOW}
    info = await ws.call("exchangeInfo", {"symbols": ["BTCUSDT", "ETHBTC"]})
    assert [s["symbol"] for s in info["result"]["symbols"]] == ["BTCUSDT", "ETHBTC"]
    assert limits(info) == [{**WEIGHT, "limit": 6000, "count": 2 + 1 + 1 + 20}]
    depth = await ws.call("depth", {"symbol": "BTCUSDT", "limit": 5})
    assert set(depth["result"]) == {"lastUpdateId", "bids", "asks"}
    assert len(depth["result"]["bids"]) == 5 and limits(depth)[0]["count"] == 29
    sim.spot_trade("BTCUSDT", D("50000"), D("0.5"))
    agg = await ws.call("trades.aggregate", {"symbol": "BTCUSDT"})
    assert [(t["p"], t["q"]) for t in agg["result"]] == [("50000.00000000", "0.50000000")]
    avg = await ws.call("avgPrice", {"symbol": "BTCUSDT"})
    assert avg["result"]["price"] == "50000.00000000"


@pytest.mark.parametrize("kind", ["hmac", "rsa", "ed25519"])
async def test_every_key_type_signs_sorted_params(ws: Ws, sim: Simulator, kind: str) -> None:
    """HMAC, RSA and Ed25519 signatures over the sorted params (apiKey included) are accepted;
    the same request with one parameter changed after signing is -1022."""
    creds = sim.new_credentials(kind)  # type: ignore[arg-type]
    ok = await ws.call("order.place", ws.signed(creds, {**LIMIT, "newClientOrderId": kind}))
    assert ok["status"] == 200 and ok["result"]["clientOrderId"] == kind
    tampered = {**ws.signed(creds, {**LIMIT, "newClientOrderId": f"{kind}-2"}), "price": "48000"}
    bad = await ws.call("order.place", tampered)
    assert (bad["status"], bad["error"]["code"]) == (400, -1022)
    assert sim.spot_order(client_order_id=f"{kind}-2") is None


async def test_ed25519_session_logon_status_logout(ws: Ws, sim: Simulator) -> None:
    """session.logon (Ed25519) shows the session with ``userDataStream``; requests then need
    no apiKey nor signature; session.logout ends it; an HMAC key cannot log on (-4056)."""
    hmac_creds = sim.new_credentials("hmac")
    refused = await ws.call("session.logon", ws.signed(hmac_creds, {}))
    assert (refused["status"], refused["error"]["code"]) == (400, -4056)
    creds = sim.new_credentials("ed25519", account="ed")
    logon = await ws.call("session.logon", ws.signed(creds, {}))
    assert logon["result"] == {
        "apiKey": creds.api_key,
        "authorizedSince": NOW,
        "connectedSince": NOW,
        "returnRateLimits": True,
        "serverTime": NOW,
        "userDataStream": False,
    }
    placed = await ws.call("order.place", {**LIMIT, "newClientOrderId": "s-1", "timestamp": NOW})
    assert placed["status"] == 200
    assert sim.spot_order(client_order_id="s-1").account == "ed"  # type: ignore[union-attr]
    logout = await ws.call("session.logout")
    assert logout["result"]["apiKey"] is None and logout["result"]["userDataStream"] is False
    after = await ws.call("order.place", {**LIMIT, "newClientOrderId": "s-2", "timestamp": NOW})
    assert (after["status"], after["error"]["code"]) == (401, -2014)


async def test_order_list_methods(ws: Ws, sim: Simulator, creds: Credentials) -> None:
    """orderList.place.oco places the pair (ORDERS count 2), orderList.status finds it by
    listClientOrderId, orderList.cancel cancels both orders."""
    oco = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "quantity": "0.1",
        "aboveType": "LIMIT_MAKER",
        "abovePrice": "52000",
        "belowType": "STOP_LOSS",
        "belowStopPrice": "48000",
        "listClientOrderId": "L-1",
    }
    placed = await ws.call("orderList.place.oco", ws.signed(creds, oco))
    assert placed["result"]["listOrderStatus"] == "EXECUTING"
    assert limits(placed)[1] == {**ORDERS_10S, "count": 2}
    status = await ws.call("orderList.status", ws.signed(creds, {"origClientOrderId": "L-1"}))
    assert status["result"]["orderListId"] == placed["result"]["orderListId"]
    cancelled = await ws.call(
        "orderList.cancel", ws.signed(creds, {"symbol": "BTCUSDT", "listClientOrderId": "L-1"})
    )
    assert [r["status"] for r in cancelled["result"]["orderReports"]] == ["CANCELED"] * 2
    assert sim.spot_open_orders() == []


async def test_unknown_method_and_bad_params(ws: Ws, creds: Credentials) -> None:
    """An unknown method is 400 -1020 (no weight); a REST refusal keeps its code."""
    unknown = await ws.call("order.modify", ws.signed(creds, LIMIT))
    assert (unknown["status"], unknown["error"]["code"]) == (400, -1020)
    bad = await ws.call("order.place", ws.signed(creds, {**LIMIT, "symbol": "NOPE"}))
    assert (bad["status"], bad["error"]["code"]) == (400, -1121)


@pytest.fixture
async def tight_sim() -> AsyncIterator[Simulator]:
    """A simulator with 100 Spot weight a minute that bans after one more 429."""
    config = SpotRateLimitConfig(weight_limit=100, ban_after_429s=1, ban_grace_ms=0)
    async with Simulator(spot=SpotConfig(rate_limits=config)) as simulator:
        simulator.clock.freeze(NOW)
        yield simulator


async def test_weight_429_then_418_with_retry_after(
    tight_sim: Simulator, session: aiohttp.ClientSession
) -> None:
    """Over Spot's weight: 429 -1003 with data.retryAfter when the window has ended (the
    Retry-After's whole seconds); after one more 429, 418 with the ban's end; the futures
    API is not banned."""
    sim = tight_sim
    async with session.ws_connect(sim.spot_ws_api_url) as conn:
        ws = Ws(conn, sim)
        sim.spot.preload_weight(IP, 98)
        over = await ws.call("exchangeInfo")
        assert over["status"] == 429 and over["error"]["code"] == -1003
        assert over["error"]["data"] == {"serverTime": NOW, "retryAfter": NOW + 58_000}
        assert limits(over) == [{**WEIGHT, "limit": 100, "count": 100}]
        assert (await ws.call("ping"))["status"] == 429  # the one more 429 that bans
        banned = await ws.call("time")
        assert banned["status"] == 418 and banned["error"]["code"] == -1003
        assert banned["error"]["data"]["retryAfter"] > NOW
    async with session.get(sim.base_url + "/fapi/v1/time") as reply:
        assert reply.status == 200


async def test_faults_drop_and_unknown_outcome(
    ws: Ws, sim: Simulator, creds: Credentials, session: aiohttp.ClientSession
) -> None:
    """A fault on POST /api/v3/order hits order.place: unknown_executed answers 503 -1000
    with the order placed; drop_after_execute closes the connection with the order placed,
    its audit record unanswered."""
    sim.inject_next("unknown_executed", endpoint=ORDER)
    unknown = await ws.call("order.place", ws.signed(creds, {**LIMIT, "newClientOrderId": "u"}))
    assert (unknown["status"], unknown["error"]["code"]) == (503, -1000)
    assert sim.spot_order(client_order_id="u") is not None
    sim.inject_next("drop_after_execute", endpoint=ORDER)
    await ws.send("order.place", ws.signed(creds, {**LIMIT, "newClientOrderId": "d"}))
    closed = await ws.closed()
    assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert sim.spot_order(client_order_id="d") is not None
    dropped = [r for r in sim.audit.requests if r.method == "WS" and r.path == "order.place"]
    assert [r.status for r in dropped] == [503, None]
    assert sim.spot_ws_api_connections == 0


async def test_status_shows_every_url(sim: Simulator) -> None:
    """``sim.urls()`` and ``status()["urls"]`` name REST, both WebSocket APIs and both
    stream hosts of the running exchange."""
    base = sim.base_url
    ws_base = "ws" + base.removeprefix("http")
    urls = {
        "rest": base,
        "ws_api": ws_base + "/ws-fapi/v1",
        "streams": ws_base,
        "spot_ws_api": ws_base + "/ws-api/v3",
        "spot_streams": ws_base + "/spot",
    }
    assert sim.urls() == urls and sim.status()["urls"] == urls
