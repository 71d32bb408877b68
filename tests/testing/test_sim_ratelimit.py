"""Weights and their headers, 429 with Retry-After, 418 ban escalation, per-IP and order counts."""

from __future__ import annotations

import pytest

from binance_async.testing import RateLimitConfig, Simulator
from binance_async.testing.ratelimit import RateLimiter

T0 = 1_700_000_040_000  # a multiple of 60 s
WEIGHT = "X-MBX-USED-WEIGHT-10S"


@pytest.fixture
def limits() -> RateLimitConfig:
    """Short windows: 20 weight / 10 s per IP; 5 orders / 10 s and 8 / minute per account."""
    return RateLimitConfig(
        weight_limit=20,
        weight_interval="SECOND",
        weight_interval_num=10,
        order_limits=((5, "SECOND", 10), (8, "MINUTE", 1)),
        ban_after_429s=2,
        ban_initial_s=2,
        ban_grace_ms=0,
    )


@pytest.fixture(autouse=True)
def frozen(sim: Simulator) -> None:
    """Freeze the exchange clock 2.5 s into a 10 s window."""
    sim.clock.freeze(T0 + 2500)


async def test_weight_headers_on_every_response(sim: Simulator, client) -> None:
    """Each response carries the IP's used weight under a header named from the window."""
    r = await client.public("GET", "/fapi/v1/ping")
    assert r.headers[WEIGHT] == "1"
    r = await client.public("GET", "/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 100})
    assert r.headers[WEIGHT] == "6"
    r = await client.public("GET", "/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 7})
    assert (r.code, r.headers[WEIGHT]) == (-4021, "16")  # errors carry it too (limit 7: 10)
    r = await client.signed("GET", "/fapi/v1/openOrders", {"symbol": "BTCUSDT"})
    assert r.headers[WEIGHT] == "17"
    r = await client.public("GET", "/nope")
    assert (r.status, r.headers[WEIGHT]) == (404, "17")


async def test_429_with_retry_after_and_no_weight_consumed(sim: Simulator, client) -> None:
    """Over the limit: 429 -1003, Retry-After to the window's end, and the weight is not used."""
    sim.preload_weight("127.0.0.1", 16)
    r = await client.public("GET", "/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 100})
    assert r.status == 429
    assert r.json == {
        "code": -1003,
        "msg": "Too many requests; current limit of IP(127.0.0.1) is 20 requests per 10 seconds. "
        "Please use the websocket for live updates to avoid polling the API.",
    }
    assert r.headers["Retry-After"] == "8"  # 7.5 s left, rounded up
    assert r.headers[WEIGHT] == "16"
    ok = await client.public("GET", "/fapi/v1/ping")
    assert (ok.status, ok.headers[WEIGHT]) == (200, "17")
    sim.clock.jump(7500)  # next window
    ok = await client.public("GET", "/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 100})
    assert (ok.status, ok.headers[WEIGHT]) == (200, "5")


async def test_ignoring_429s_gets_banned_and_bans_double(sim: Simulator, client) -> None:
    """After a 429, more than ban_after_429s further refused requests in that window -> 418."""
    for round_, ban_s in enumerate((2, 4)):
        sim.preload_weight("127.0.0.1", 20)
        statuses = [(await client.public("GET", "/fapi/v1/ping")).status for _ in range(4)]
        assert statuses == [429, 429, 429, 418], round_
        banned = await client.public("GET", "/fapi/v1/time")
        until = sim.clock.now_ms() + ban_s * 1000
        assert banned.status == 418
        assert banned.json == {
            "code": -1003,
            "msg": f"Way too many requests; IP(127.0.0.1) banned until {until}. "
            "Please use the websocket for live updates to avoid bans.",
        }
        assert banned.headers["Retry-After"] == str(ban_s)
        sim.clock.jump(ban_s * 1000 - 1)
        assert (await client.public("GET", "/fapi/v1/ping")).status == 418
        sim.clock.jump(10_000)  # ban over, and a fresh window
        assert (await client.public("GET", "/fapi/v1/ping")).status == 200
    assert sim.audit.status_count(418) == 6 and sim.audit.status_count(429) == 6


async def test_only_violations_after_a_429_count_toward_the_ban(sim: Simulator, client) -> None:
    """After a 429, requests that fit are answered as usual and never count; only further
    requests over the limit (each answered 429) do."""
    sim.preload_weight("127.0.0.1", 18)
    r = await client.public("GET", "/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 100})
    assert r.status == 429
    assert (await client.public("GET", "/fapi/v1/ping")).status == 200  # fits: not counted
    assert (await client.public("GET", "/fapi/v1/ping")).status == 200  # fits: not counted
    over = [(await client.public("GET", "/fapi/v1/ping")).status for _ in range(3)]
    assert over == [429, 429, 418]  # violations 1 and 2 tolerated, the 3rd banned


async def test_requests_in_flight_when_the_429_lands_earn_no_ban(sim: Simulator) -> None:
    """Violations within ban_grace_ms of the first 429 were in flight: 429, never a ban; after
    the grace they count (server clock)."""
    limiter = RateLimiter(
        RateLimitConfig(weight_limit=10, ban_after_429s=1, ban_grace_ms=500, ban_initial_s=60)
    )
    now = T0 + 1000
    assert limiter.admit_weight("ip", 10, now) is None
    statuses = [limiter.admit_weight("ip", 1, now + dt) for dt in range(0, 500, 10)]
    assert {r.status for r in statuses if r is not None} == {429} and None not in statuses
    assert limiter.banned_until("ip", now + 499) is None
    first = limiter.admit_weight("ip", 1, now + 500)  # violation 1: tolerated
    second = limiter.admit_weight("ip", 1, now + 501)  # violation 2: banned
    assert first is not None and first.status == 429
    assert second is not None and (second.status, second.code) == (418, -1003)
    assert limiter.banned_until("ip", now + 502) == now + 501 + 60_000


async def test_a_new_window_starts_a_new_episode_and_grace(sim: Simulator) -> None:
    """429s in one window do not carry into the next: its first 429 gets its own grace."""
    limiter = RateLimiter(
        RateLimitConfig(weight_limit=10, ban_after_429s=0, ban_grace_ms=2000, ban_initial_s=60)
    )
    start = T0
    limiter.preload_weight("ip", 10, start)
    assert limiter.admit_weight("ip", 1, start + 100) is not None  # 429: episode starts
    nxt = start + 60_000
    limiter.preload_weight("ip", 10, nxt)
    refused = limiter.admit_weight("ip", 1, nxt + 2100)  # first 429 of this window
    assert refused is not None and refused.status == 429
    assert limiter.admit_weight("ip", 1, nxt + 4099).status == 429  # type: ignore[union-attr]
    banned = limiter.admit_weight("ip", 1, nxt + 4100)
    assert banned is not None and banned.status == 418


def test_ban_thresholds_are_validated() -> None:
    """ban_grace_ms is a non-negative int of milliseconds; ban_after_429s non-negative."""
    with pytest.raises(ValueError, match="ban_grace_ms"):
        RateLimitConfig(ban_grace_ms=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        RateLimitConfig(ban_grace_ms=-1)
    with pytest.raises(ValueError):
        RateLimitConfig(ban_after_429s=-1)


async def test_weight_is_per_ip(sim: Simulator, make_client) -> None:
    """127.0.0.2 and 127.0.0.3 have separate weight budgets; the audit keeps per-window maxima."""
    two = make_client(source_ip="127.0.0.2")
    three = make_client(source_ip="127.0.0.3")
    for _ in range(3):
        await two.public("GET", "/fapi/v1/depth", {"symbol": "BTCUSDT", "limit": 100})
    r = await three.public("GET", "/fapi/v1/ping")
    assert r.headers[WEIGHT] == "1"
    r = await two.public("GET", "/fapi/v1/ping")
    assert r.headers[WEIGHT] == "16"
    assert {r.ip for r in sim.audit.requests} == {"127.0.0.2", "127.0.0.3"}
    assert sim.audit.max_weight_per_window() == {("127.0.0.2", T0): 16, ("127.0.0.3", T0): 1}


async def test_order_count_headers_and_minus_1015(sim: Simulator, client) -> None:
    """Orders count per account on every ORDERS window; over a limit: 429 -1015 + Retry-After."""
    order = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.01",
        "price": "40000",
    }
    for n in range(1, 6):
        r = await client.signed("POST", "/fapi/v1/order", order)
        assert r.status == 200, r
        assert (r.headers["X-MBX-ORDER-COUNT-10S"], r.headers["X-MBX-ORDER-COUNT-1M"]) == (
            str(n),
            str(n),
        )
    r = await client.signed("POST", "/fapi/v1/order", order)
    assert r.status == 429
    assert r.json == {
        "code": -1015,
        "msg": "Too many new orders; current limit is 5 orders per 10 SECOND.",
    }
    assert r.headers["Retry-After"] == "8"
    assert r.headers["X-MBX-ORDER-COUNT-10S"] == "5"
    cancel = await client.signed("DELETE", "/fapi/v1/allOpenOrders", {"symbol": "BTCUSDT"})
    assert cancel.status == 200 and "X-MBX-ORDER-COUNT-10S" not in cancel.headers
    sim.clock.jump(7500)
    batch = await client.signed(
        "POST",
        "/fapi/v1/batchOrders",
        {"batchOrders": '[{"symbol":"BTCUSDT","side":"BUY","type":"MARKET","quantity":"0.01"}]'},
    )
    assert batch.status == 200, batch
    assert (batch.headers["X-MBX-ORDER-COUNT-10S"], batch.headers["X-MBX-ORDER-COUNT-1M"]) == (
        "5",
        "6",
    )
    assert batch.headers[WEIGHT] == "5"
    r = await client.signed("POST", "/fapi/v1/order", order)
    assert r.code == -1015
    sim.clock.jump(10_000)
    for _ in range(2):  # 7 and 8 on the minute window
        r = await client.signed("POST", "/fapi/v1/order", order)
        assert r.status == 200
    r = await client.signed("POST", "/fapi/v1/order", order)
    assert r.status == 429 and r.json["msg"].endswith("8 orders per MINUTE.")
    maxima = sim.audit.max_orders_per_window()
    assert maxima[("main", "10S", T0)] == 5 and maxima[("main", "1M", T0 - T0 % 60_000)] == 8


async def test_exchange_info_reflects_limits(client) -> None:
    """exchangeInfo.rateLimits reports the configured windows."""
    r = await client.public("GET", "/fapi/v1/exchangeInfo")
    assert r.json["rateLimits"] == [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "SECOND", "intervalNum": 10, "limit": 20},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 5},
        {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 8},
    ]
