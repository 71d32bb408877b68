"""Spot under /api/v3: each public endpoint's shape and weight, its own ledger, its timing rule
(µs timestamps, a recvWindow with decimals) and signatures of every key type, written by hand
against the HTTP API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from binance_async.testing import Simulator

from .conftest import RawClient, encode, sign

BTC = {"symbol": "BTCUSDT"}

# (path, params, weight): the public endpoints, with their documented weights.
PUBLIC: list[tuple[str, dict[str, Any], int]] = [
    ("/api/v3/ping", {}, 1),
    ("/api/v3/time", {}, 1),
    ("/api/v3/exchangeInfo", {}, 20),
    ("/api/v3/depth", BTC, 5),
    ("/api/v3/depth", {**BTC, "limit": 101}, 25),
    ("/api/v3/depth", {**BTC, "limit": 1000}, 50),
    ("/api/v3/depth", {**BTC, "limit": 5000}, 250),
    ("/api/v3/trades", BTC, 25),
    ("/api/v3/historicalTrades", BTC, 25),
    ("/api/v3/aggTrades", BTC, 4),
    ("/api/v3/klines", {**BTC, "interval": "1m"}, 2),
    ("/api/v3/uiKlines", {**BTC, "interval": "1h", "timeZone": "8"}, 2),
    ("/api/v3/avgPrice", BTC, 2),
    ("/api/v3/ticker/24hr", BTC, 2),
    ("/api/v3/ticker/24hr", {}, 80),
    ("/api/v3/ticker/24hr", {"symbols": '["BTCUSDT","ETHUSDT"]', "type": "MINI"}, 2),
    ("/api/v3/ticker/price", BTC, 2),
    ("/api/v3/ticker/price", {}, 4),
    ("/api/v3/ticker/bookTicker", BTC, 2),
    ("/api/v3/ticker/bookTicker", {"symbols": '["ETHBTC"]'}, 4),
    ("/api/v3/ticker", BTC, 4),
    ("/api/v3/ticker", {"symbols": '["BTCUSDT","ETHUSDT","ETHBTC"]', "windowSize": "2h"}, 12),
    ("/api/v3/ticker/tradingDay", BTC, 4),
    ("/api/v3/ticker/tradingDay", {"symbols": '["BTCUSDT","ETHUSDT"]', "timeZone": "8"}, 8),
]


@pytest.mark.parametrize(("path", "params", "weight"), PUBLIC)
async def test_public_endpoint_answers_with_its_weight(
    client: RawClient, path: str, params: dict[str, Any], weight: int
) -> None:
    """Each public endpoint answers 200, charges its documented weight on Spot's ledger."""
    reply = await client.public("GET", path, params)
    assert reply.status == 200, reply
    assert client.sim.audit.requests[-1].weight == weight
    assert reply.headers["X-MBX-USED-WEIGHT-1M"] == str(weight)


async def test_exchange_info_lists_spot_symbols_filters_and_limits(client: RawClient) -> None:
    """exchangeInfo: the three symbols with Spot's filters; rateLimits as configured."""
    info = (await client.public("GET", "/api/v3/exchangeInfo")).json
    assert [s["symbol"] for s in info["symbols"]] == ["BTCUSDT", "ETHUSDT", "ETHBTC"]
    btc = info["symbols"][0]
    kinds = [f["filterType"] for f in btc["filters"]]
    assert set(kinds) >= {
        "PRICE_FILTER",
        "LOT_SIZE",
        "MARKET_LOT_SIZE",
        "NOTIONAL",
        "PERCENT_PRICE_BY_SIDE",
        "ICEBERG_PARTS",
        "MAX_NUM_ORDERS",
        "MAX_NUM_ALGO_ORDERS",
        "TRAILING_DELTA",
    }
    notional = next(f for f in btc["filters"] if f["filterType"] == "NOTIONAL")
    assert set(notional) == {
        "filterType",
        "minNotional",
        "applyMinToMarket",
        "maxNotional",
        "applyMaxToMarket",
        "avgPriceMins",
    }
    assert btc["orderTypes"] == [
        "LIMIT",
        "LIMIT_MAKER",
        "MARKET",
        "STOP_LOSS",
        "STOP_LOSS_LIMIT",
        "TAKE_PROFIT",
        "TAKE_PROFIT_LIMIT",
    ]
    assert info["rateLimits"] == [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 160000},
        {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000},
    ]
    one = (await client.public("GET", "/api/v3/exchangeInfo", {"symbol": "ETHBTC"})).json
    assert [s["symbol"] for s in one["symbols"]] == ["ETHBTC"]


async def test_market_data_shapes(client: RawClient, sim: Simulator) -> None:
    """depth, trades, aggTrades, klines, avgPrice and the tickers in the documented shapes,
    built from the price and the tape."""
    sim.spot_set_price("BTCUSDT", Decimal("50000"))
    sim.spot_trade("BTCUSDT", Decimal("50010"), Decimal("0.5"))
    book = (await client.public("GET", "/api/v3/depth", {**BTC, "limit": 5})).json
    assert set(book) == {"lastUpdateId", "bids", "asks"}
    assert book["bids"][0][0] == "49999.99000000" and book["asks"][0][0] == "50000.01000000"
    assert len(book["bids"]) == len(book["asks"]) == 5
    trades = (await client.public("GET", "/api/v3/trades", BTC)).json
    assert trades == [
        {
            "id": trades[0]["id"],
            "price": "50010.00000000",
            "qty": "0.50000000",
            "quoteQty": "25005.00000000",
            "time": trades[0]["time"],
            "isBuyerMaker": False,
            "isBestMatch": True,
        }
    ]
    agg = (await client.public("GET", "/api/v3/aggTrades", BTC)).json
    assert set(agg[0]) == {"a", "p", "q", "f", "l", "T", "m", "M"}
    old = await client.public("GET", "/api/v3/historicalTrades", {**BTC, "fromId": trades[0]["id"]})
    assert [t["id"] for t in old.json] == [trades[0]["id"]]
    candles = (await client.public("GET", "/api/v3/klines", {**BTC, "interval": "1s"})).json
    assert len(candles) == 500 and all(len(c) == 12 for c in candles)
    avg = (await client.public("GET", "/api/v3/avgPrice", BTC)).json
    assert (avg["mins"], avg["price"]) == (5, "50000.00000000")
    full = (await client.public("GET", "/api/v3/ticker/24hr", BTC)).json
    assert (full["lastPrice"], full["volume"], full["count"]) == ("50000.00000000", "0.50000000", 1)
    assert "prevClosePrice" in full and "bidPrice" in full
    mini = (await client.public("GET", "/api/v3/ticker/24hr", {**BTC, "type": "MINI"})).json
    assert "priceChange" not in mini and mini["lastPrice"] == "50000.00000000"
    prices = (await client.public("GET", "/api/v3/ticker/price")).json
    assert {p["symbol"] for p in prices} == {"BTCUSDT", "ETHUSDT", "ETHBTC"}
    rolling = (await client.public("GET", "/api/v3/ticker", {**BTC, "windowSize": "15m"})).json
    assert rolling["openTime"] % 60_000 == 0 and rolling["count"] == 1
    # The trading day of UTC-1:30 began at 01:30 UTC (or the day before, before 01:30).
    day = await client.public("GET", "/api/v3/ticker/tradingDay", {**BTC, "timeZone": "-1:30"})
    opened = day.json["openTime"]
    assert (opened - 5_400_000) % 86_400_000 == 0 and day.json["closeTime"] - opened >= 0
    assert day.json["closeTime"] - opened < 86_400_000


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/api/v3/depth", {}, -1102),
        ("/api/v3/depth", {"symbol": "NOPE"}, -1121),
        ("/api/v3/klines", {**BTC, "interval": "2m"}, -1120),
        ("/api/v3/klines", {**BTC, "interval": "1m", "limit": 1001}, -1130),
        ("/api/v3/klines", {**BTC, "interval": "1m", "timeZone": "15"}, -1130),
        ("/api/v3/ticker", {}, -1102),
        ("/api/v3/ticker", {**BTC, "windowSize": "60m"}, -1130),
        ("/api/v3/ticker/tradingDay", {**BTC, "timeZone": "15"}, -1130),
        ("/api/v3/ticker/tradingDay", {}, -1102),
        ("/api/v3/ticker/24hr", {**BTC, "type": "HALF"}, -1139),
        ("/api/v3/ticker/price", {**BTC, "symbols": '["ETHBTC"]'}, -1128),
        ("/api/v3/ticker/price", {"symbols": '["ETHBTC","ETHBTC"]'}, -1151),
        ("/api/v3/trades", {**BTC, "extra": 1}, -1103),
    ],
)
async def test_public_validation_codes(
    client: RawClient, path: str, params: dict[str, Any], code: int
) -> None:
    """Bad or missing parameters are refused with Spot's codes."""
    reply = await client.public("GET", path, params)
    assert (reply.status, reply.code) == (400, code)


async def test_spot_and_futures_weights_are_separate_ledgers(client: RawClient) -> None:
    """Spot weight never shows in the futures header on the same IP, nor the reverse."""
    await client.public("GET", "/api/v3/exchangeInfo")
    futures = await client.public("GET", "/fapi/v1/exchangeInfo")
    assert futures.headers["X-MBX-USED-WEIGHT-1M"] == "1"
    spot = await client.public("GET", "/api/v3/ping")
    assert spot.headers["X-MBX-USED-WEIGHT-1M"] == "21"
    assert client.sim.spot.used_weight("127.0.0.1") == 21
    assert client.sim.used_weight("127.0.0.1") == 1


@pytest.mark.parametrize("kind", ["hmac", "rsa", "ed25519"])
async def test_signed_with_every_key_type(sim: Simulator, make_client: Any, kind: str) -> None:
    """HMAC, RSA and Ed25519 signatures over the query string (and the body) verify."""
    raw = make_client(sim.new_credentials(kind))  # type: ignore[arg-type]
    assert (await raw.signed("GET", "/api/v3/account")).status == 200
    placed = await raw.signed(
        "POST",
        "/api/v3/order/test",
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"},
        in_body=True,
    )
    assert (placed.status, placed.json) == (200, {})
    bad = await raw.signed("GET", "/api/v3/account", tamper=lambda s: s[:-4] + "AAAA")
    assert (bad.status, bad.code) == (400, -1022)


async def test_microsecond_timestamps_and_decimal_recv_window(client: RawClient) -> None:
    """A 16-digit timestamp is in µs; recvWindow takes three decimals, compared in µs."""
    sim = client.sim
    sim.clock.freeze()
    now = sim.clock.now_ms()
    ok = await client.signed("GET", "/api/v3/account", timestamp=now * 1000 - 5_000_000)
    assert ok.status == 200
    late = await client.signed("GET", "/api/v3/account", timestamp=now * 1000 - 5_000_001)
    assert (late.status, late.code) == (400, -1021)
    params = {"recvWindow": "5000.001"}
    edge = await client.signed("GET", "/api/v3/account", params, timestamp=now * 1000 - 5_000_001)
    assert edge.status == 200
    ahead = await client.signed("GET", "/api/v3/account", timestamp=now + 1000)
    assert ahead.code == -1021 and "ahead" in ahead.json["msg"]
    assert (await client.signed("GET", "/api/v3/account", timestamp=now + 999)).status == 200


@pytest.mark.parametrize(
    ("window", "code"), [("60000.001", -1131), ("60001", -1131), ("5000.0001", -1130), ("x", -1130)]
)
async def test_recv_window_refusals(client: RawClient, window: str, code: int) -> None:
    """recvWindow above 60000 is -1131; more than three decimals or not a number, -1130."""
    reply = await client.signed("GET", "/api/v3/account", {"recvWindow": window})
    assert (reply.status, reply.code) == (400, code)
    assert (await client.signed("GET", "/api/v3/account", {"recvWindow": "60000"})).status == 200


async def test_signature_in_body_and_query_mixed(client: RawClient) -> None:
    """totalParams is the query string followed by the body, signature last."""
    assert client.creds is not None
    query = encode({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET"})
    body = encode({"quantity": "0.001", "timestamp": client.sim.clock.now_ms()})
    signature = sign(client.creds, (query + body).encode())
    reply = await client.send(
        "POST", "/api/v3/order/test", query=query, body=f"{body}&signature={signature}"
    )
    assert (reply.status, reply.json) == (200, {})


async def test_key_and_signature_refusals(client: RawClient) -> None:
    """No key: -2014 (401); an unknown key: -2015; no signature: -1102."""
    no_key = await client.send("GET", "/api/v3/account", query="timestamp=1", api_key="")
    assert (no_key.status, no_key.code) == (401, -2014)
    unknown = await client.send("GET", "/api/v3/account", query="timestamp=1", api_key="nope")
    assert (unknown.status, unknown.code) == (401, -2015)
    unsigned = await client.send("GET", "/api/v3/account", query="timestamp=1")
    assert unsigned.code == -1102


# (METHOD, path, params, weight): the signed endpoints that need no prior state.
SIGNED_CALLS: list[tuple[str, str, dict[str, Any], int]] = [
    ("GET", "/api/v3/account", {}, 20),
    ("GET", "/api/v3/account/commission", BTC, 20),
    ("GET", "/api/v3/rateLimit/order", {}, 40),
    ("GET", "/api/v3/myTrades", BTC, 20),
    ("GET", "/api/v3/myTrades", {**BTC, "orderId": 1}, 5),
    ("GET", "/api/v3/myPreventedMatches", {**BTC, "preventedMatchId": 1}, 2),
    ("GET", "/api/v3/myPreventedMatches", {**BTC, "orderId": 1}, 20),
    ("GET", "/api/v3/openOrders", BTC, 6),
    ("GET", "/api/v3/openOrders", {}, 80),
    ("GET", "/api/v3/allOrders", BTC, 20),
    ("GET", "/api/v3/allOrderList", {}, 20),
    ("GET", "/api/v3/openOrderList", {}, 6),
    ("POST", "/api/v3/order/test", {**BTC, "side": "BUY", "type": "MARKET", "quantity": 1}, 1),
]


@pytest.mark.parametrize(("method", "path", "params", "weight"), SIGNED_CALLS)
async def test_signed_endpoint_answers_with_its_weight(
    client: RawClient, method: str, path: str, params: dict[str, Any], weight: int
) -> None:
    """Each signed read answers 200 with its documented weight."""
    reply = await client.signed(method, path, params)
    assert reply.status == 200, reply
    assert client.sim.audit.requests[-1].weight == weight


async def test_prevented_matches_combinations(client: RawClient) -> None:
    """myPreventedMatches takes the documented combinations only (-1128 otherwise)."""
    bad = await client.signed("GET", "/api/v3/myPreventedMatches", BTC)
    assert (bad.status, bad.code) == (400, -1128)
    ok = {**BTC, "orderId": 1, "fromPreventedMatchId": 1, "limit": 10}
    assert (await client.signed("GET", "/api/v3/myPreventedMatches", ok)).json == []


async def test_delay_before_execute_meets_spot_timing(client: RawClient) -> None:
    """A Spot order held past its recvWindow by ``delay_before_execute`` is refused -1021 at
    processing, nothing placed."""
    client.sim.inject_next("delay_before_execute", endpoint=("POST", "/api/v3/order"), delay_s=0.3)
    order = {**BTC, "side": "BUY", "type": "MARKET", "quantity": "0.001"}
    reply = await client.signed("POST", "/api/v3/order", {**order, "recvWindow": "100.5"})
    assert (reply.status, reply.code) == (400, -1021)
    assert client.sim.spot_open_orders() == [] and client.sim.spot.user_trades() == []


async def test_windows_start_at_boot_moves_spot_windows() -> None:
    """``windows_start_at_boot`` shifts Spot's windows too: Retry-After counts from boot."""
    async with Simulator(windows_start_at_boot=True) as sim:
        assert sim.spot.rate_limits.window_offset_ms != 0
