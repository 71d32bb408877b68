"""Fault injection on order endpoints: each kind, the seeded plan, exemptions and the audit."""

from __future__ import annotations

import time

import aiohttp
import pytest

from binance_async.testing import FaultPlan, Simulator

ORDER = "/fapi/v1/order"


def market(cid: str, side: str = "BUY", **extra: str) -> dict[str, str]:
    """A BTCUSDT MARKET order with a client order id."""
    return {
        "symbol": "BTCUSDT",
        "side": side,
        "type": "MARKET",
        "quantity": "0.01",
        "newClientOrderId": cid,
        **extra,
    }


@pytest.mark.parametrize(
    ("kind", "status", "code", "executed"),
    [
        ("unknown_executed", 503, -1000, True),
        ("unknown_not_executed", 503, -1000, False),
        ("throttled", 503, -1008, False),
        ("invalid_timestamp", 400, -1021, False),
        ("http_429", 429, -1003, False),
        ("http_418", 418, -1003, False),
    ],
)
async def test_fault_kinds_answering_json(
    sim: Simulator, client, kind: str, status: int, code: int, executed: bool
) -> None:
    """Each answering fault gives its status and code; only unknown_executed places the order."""
    sim.inject_next(kind)
    r = await client.signed("POST", ORDER, market("f1"))
    assert (r.status, r.code) == (status, code), r
    assert "X-MBX-USED-WEIGHT-1M" in r.headers
    assert (sim.order(client_order_id="f1") is not None) == executed
    assert sim.audit.accepted["f1"] == (1 if executed else 0)
    assert sim.audit.requests[-1].fault == kind
    if kind == "unknown_executed":
        assert r.json["msg"] == "Unknown error, please check your request or try again later."
    if kind in ("http_429", "http_418"):
        assert int(r.headers["Retry-After"]) > 0
    follow = await client.signed("GET", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "f1"})
    if kind == "http_418":
        assert follow.status == 418  # a real ban: every request from the IP
    else:
        assert follow.code == (None if executed else -2013)


async def test_unavailable_is_json_and_not_counted(sim: Simulator, client) -> None:
    """'Service Unavailable.' is JSON with a code (its msg tells it from the unknown-outcome
    503), not executed, and not counted on the order windows."""
    sim.inject_next("unavailable")
    r = await client.signed("POST", ORDER, market("u1"))
    assert (r.status, r.json) == (503, {"code": -1000, "msg": "Service Unavailable."})
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["X-MBX-ORDER-COUNT-1M"] == "0"
    assert sim.order(client_order_id="u1") is None


@pytest.mark.parametrize(
    ("kind", "executed"), [("drop_after_execute", True), ("drop_before_execute", False)]
)
async def test_dropped_connections(sim: Simulator, client, kind: str, executed: bool) -> None:
    """The connection is aborted without a response, after or before executing."""
    sim.inject_next(kind)
    with pytest.raises(aiohttp.ClientError):
        await client.signed("POST", ORDER, market("d1"))
    assert (sim.order(client_order_id="d1") is not None) == executed
    record = sim.audit.requests[-1]
    assert (record.status, record.fault) == (None, kind)
    assert (await client.public("GET", "/fapi/v1/ping")).status == 200


async def test_slow_answers_late_but_normally(sim: Simulator, client) -> None:
    """slow executes, then waits before a normal answer."""
    sim.inject_next("slow", delay_s=0.3)
    started = time.monotonic()
    r = await client.signed("POST", ORDER, market("s1"))
    assert r.status == 200 and time.monotonic() - started >= 0.3
    assert sim.order(client_order_id="s1") is not None


async def test_throttle_spares_reduce_only(sim: Simulator, client) -> None:
    """-1008 is never applied to reduce-only orders: the injection waits for the next order."""
    await client.signed("POST", ORDER, market("open"))
    sim.inject_next("throttled")
    close = await client.signed("POST", ORDER, market("close", side="SELL", reduceOnly="true"))
    assert close.status == 200, close
    assert sim.position("BTCUSDT").amount == 0
    r = await client.signed("POST", ORDER, market("next"))
    assert r.code == -1008


async def test_batch_fault_applies_to_whole_request(sim: Simulator, client) -> None:
    """A fault on batchOrders applies to the whole request: every item is executed."""
    sim.inject_next("unknown_executed", endpoint=("POST", "/fapi/v1/batchOrders"))
    items = (
        '[{"symbol":"BTCUSDT","side":"BUY","type":"MARKET","quantity":"0.01","newClientOrderId":"x1"},'
        '{"symbol":"BTCUSDT","side":"BUY","type":"MARKET","quantity":"0.01","newClientOrderId":"x2"}]'
    )
    r = await client.signed("POST", "/fapi/v1/batchOrders", {"batchOrders": items})
    assert r.code == -1000
    assert dict(sim.audit.accepted) == {"x1": 1, "x2": 1}


async def _fault_sequence(seed: int) -> list[str | None]:
    async with Simulator(seed=seed) as sim, aiohttp.ClientSession() as session:
        import hashlib
        import hmac
        from urllib.parse import quote

        creds = sim.new_credentials("hmac")
        assert creds.api_secret is not None
        sim.set_faults(FaultPlan(unknown_not_executed=0.3, unavailable=0.3, throttled=0.2))
        for i in range(20):
            payload = f"symbol=BTCUSDT&orderId={i}&timestamp={sim.clock.now_ms()}"
            sig = hmac.new(creds.api_secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
            url = f"{sim.base_url}{ORDER}?{payload}&signature={quote(sig)}"
            async with session.delete(url, headers={"X-MBX-APIKEY": creds.api_key}) as resp:
                await resp.read()
            async with session.get(url, headers={"X-MBX-APIKEY": creds.api_key}) as resp:
                assert resp.status == 400  # GET is not an order endpoint: never faulted
        return [r.fault for r in sim.audit.requests if r.method == "DELETE"]


async def test_random_plan_is_seeded() -> None:
    """The same seed draws the same faults for the same requests; another seed differs."""
    first = await _fault_sequence(7)
    assert first == await _fault_sequence(7)
    assert first != await _fault_sequence(8)
    assert {"unknown_not_executed", "unavailable", "throttled", None} >= set(first)
    assert len(set(first)) > 2


async def test_plan_endpoints_filter(sim: Simulator, client) -> None:
    """A plan limited to some endpoints leaves the others alone; set_faults(None) turns it off."""
    sim.set_faults(FaultPlan(unavailable=1.0, endpoints={("DELETE", ORDER)}))
    placed = await client.signed("POST", ORDER, market("e1"))
    assert placed.status == 200
    cancel = await client.signed("DELETE", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "e1"})
    assert cancel.status == 503
    sim.set_faults(None)
    cancel = await client.signed("DELETE", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "e1"})
    assert cancel.code == -2011


def test_fault_plan_validation() -> None:
    """Probabilities must be in [0, 1] and add up to at most 1; kinds must be known."""
    with pytest.raises(ValueError, match="unavailable"):
        FaultPlan(unavailable=1.5)
    with pytest.raises(ValueError, match="add up"):
        FaultPlan(unavailable=0.6, throttled=0.6)
    sim = Simulator()
    with pytest.raises(ValueError, match="kind"):
        sim.inject_next("explode")
