"""Public endpoints, exchangeInfo, the weight table, the audit record and the control API."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from binance_async.testing import Credentials, Simulator, serve_forever


async def test_ping_time_and_unknown_routes(client) -> None:
    """ping answers {}; unknown paths 404 and wrong methods 405, both as JSON errors."""
    ping = await client.public("GET", "/fapi/v1/ping")
    assert (ping.status, ping.json, ping.headers["Content-Type"]) == (200, {}, "application/json")
    missing = await client.public("GET", "/fapi/v1/nothing")
    assert missing.status == 404 and missing.code == -1020
    wrong = await client.public("PATCH", "/fapi/v1/order")
    assert wrong.status == 405 and wrong.code == -1020


async def test_exchange_info_shape(client) -> None:
    """exchangeInfo lists the symbols with filters shaped like the real exchange's."""
    info = (await client.public("GET", "/fapi/v1/exchangeInfo")).json
    assert info["timezone"] == "UTC" and info["exchangeFilters"] == []
    assert info["rateLimits"][0] == {
        "rateLimitType": "REQUEST_WEIGHT",
        "interval": "MINUTE",
        "intervalNum": 1,
        "limit": 2400,
    }
    btc = next(s for s in info["symbols"] if s["symbol"] == "BTCUSDT")
    assert (btc["status"], btc["contractType"], btc["marginAsset"]) == (
        "TRADING",
        "PERPETUAL",
        "USDT",
    )
    filters = {f["filterType"]: f for f in btc["filters"]}
    assert filters["PRICE_FILTER"] == {
        "filterType": "PRICE_FILTER",
        "minPrice": "261.10",
        "maxPrice": "809484",
        "tickSize": "0.10",
    }
    assert filters["LOT_SIZE"]["stepSize"] == "0.001" and filters["LOT_SIZE"]["maxQty"] == "1000"
    assert filters["MARKET_LOT_SIZE"]["maxQty"] == "120"
    assert filters["MIN_NOTIONAL"] == {"filterType": "MIN_NOTIONAL", "notional": "100"}
    assert filters["MAX_NUM_ORDERS"]["limit"] == 200
    assert filters["PERCENT_PRICE"]["multiplierUp"] == "1.0500"
    assert {s["symbol"] for s in info["symbols"]} == {"BTCUSDT", "ETHUSDT", "币安人生USDT"}


async def test_depth_and_tickers(sim: Simulator, client) -> None:
    """depth: valid limits only, levels around the mark plus resting orders; tickers v1/v2."""
    bad = await client.public("GET", "/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 7})
    assert bad.json == {"code": -4021, "msg": "Invalid depth limit."}
    await client.signed(
        "POST",
        "/fapi/v1/order",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": "1",
            "price": "49999.90",
        },
    )
    book = (await client.public("GET", "/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 5})).json
    assert len(book["bids"]) == len(book["asks"]) == 5
    assert book["bids"][0][0] == "49999.90" and float(book["bids"][0][1]) > 1
    assert book["asks"][0][0] == "50000.10"
    one = (await client.public("GET", "/fapi/v1/ticker/price", {"symbol": "ETHUSDT"})).json
    assert (one["symbol"], one["price"]) == ("ETHUSDT", "3000.00")
    all_ = (await client.public("GET", "/fapi/v2/ticker/price")).json
    assert len(all_) == 3
    assert (await client.public("GET", "/fapi/v1/depth", {"symbol": "XXX"})).code == -1121


async def test_weight_table_defaults(sim: Simulator, client) -> None:
    """Weights follow reference/fapi-endpoints.tsv (openOrders 1/40, ticker 1/2, account 5, ...)."""
    steps = [
        (client.signed("GET", "/fapi/v1/openOrders"), 40),
        (client.public("GET", "/fapi/v2/ticker/price"), 2),
        (client.public("GET", "/fapi/v2/ticker/price", {"symbol": "ETHUSDT"}), 1),
        (client.signed("GET", "/fapi/v3/account"), 5),
        (client.signed("GET", "/fapi/v2/balance"), 5),
        (client.signed("GET", "/fapi/v2/positionRisk"), 5),
        (
            client.signed(
                "POST",
                "/fapi/v1/order",
                {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"},
            ),
            0,
        ),
        (client.signed("DELETE", "/fapi/v1/order", {"symbol": "BTCUSDT", "orderId": "1"}), 1),
        (client.public("GET", "/fapi/v1/depth", {"symbol": "BTCUSDT"}), 10),
        (client.public("GET", "/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 1000}), 20),
        (client.send("POST", "/fapi/v1/listenKey"), 1),
    ]
    total = 0
    for request, weight in steps:
        total += weight
        reply = await request
        assert reply.headers["X-MBX-USED-WEIGHT-1M"] == str(total), reply
        assert sim.audit.requests[-1].weight == weight


async def test_audit_records_raw_request(sim: Simulator, client, creds: Credentials) -> None:
    """The audit keeps the raw query and body exactly as received, with key, status and code."""
    await client.send(
        "POST", "/fapi/v1/order", query="symbol=BTC%55SDT&side=BUY", body="type=MARKET&x=a+b"
    )
    record = sim.audit.requests[-1]
    assert (record.query, record.body) == ("symbol=BTC%55SDT&side=BUY", b"type=MARKET&x=a+b")
    assert (record.api_key, record.status, record.code, record.ip) == (
        creds.api_key,
        400,
        -1102,
        "127.0.0.1",
    )
    sim.audit.clear()
    assert sim.audit.requests == [] and sim.audit.status_count(400) == 0


def test_credentials_repr_hides_secrets() -> None:
    """Credentials.__repr__ shows neither the HMAC secret nor the private key."""
    sim = Simulator()
    for kind in ("hmac", "ed25519"):
        creds = sim.new_credentials(kind)
        text = repr(creds)
        assert creds.api_key in text
        if creds.api_secret:
            assert creds.api_secret not in text
        assert "PRIVATE" not in text and "secret" not in text
    with pytest.raises(ValueError, match="exactly one"):
        sim.register_key("k")
    with pytest.raises(RuntimeError):
        _ = sim.base_url


async def test_lifecycle_is_idempotent() -> None:
    """aclose twice is fine; the base URL carries the ephemeral port."""
    sim = Simulator()
    await sim.start()
    assert sim.base_url.startswith("http://127.0.0.1:") and not sim.base_url.endswith(":0")
    await sim.aclose()
    await sim.aclose()


async def test_serve_forever_output(capsys: pytest.CaptureFixture[str]) -> None:
    """The printed output names the base URL, the HMAC secret and PEM private keys."""
    task = asyncio.create_task(serve_forever("127.0.0.1", 0))
    out = ""
    for _ in range(200):
        await asyncio.sleep(0.05)
        out += capsys.readouterr().out
        if "[ed25519] private_key_pem" in out:
            break
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert "binance_async simulator: http://127.0.0.1:" in out
    assert "[hmac] api_secret:" in out and "-----BEGIN PRIVATE KEY-----" in out
