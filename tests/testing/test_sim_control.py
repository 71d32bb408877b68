"""The control API under /_sim/ (token, clock, marks, trades, faults, latency, audit, reset),
Simulator.reset and status, and JSON bodies for every error."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from binance_async.testing import FaultPlan, Simulator

from .conftest import RawClient

TOKEN = "s3cret-token"
ORDER = "/fapi/v1/order"


@pytest.fixture
async def controlled() -> AsyncIterator[Simulator]:
    async with Simulator(seed=3, control_token=TOKEN) as sim:
        yield sim


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


async def call(
    session: aiohttp.ClientSession,
    sim: Simulator,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = TOKEN,
    bearer: bool = False,
) -> tuple[int, Any]:
    headers = {}
    if token is not None:
        headers = {"Authorization": f"Bearer {token}"} if bearer else {"X-Sim-Token": token}
    async with session.request(method, sim.base_url + path, json=body, headers=headers) as response:
        assert response.content_type == "application/json"
        return response.status, await response.json()


@pytest.mark.parametrize("token", [None, "wrong", ""])
async def test_control_needs_the_token(
    controlled: Simulator, session: aiohttp.ClientSession, token: str | None
) -> None:
    """Without the token (or with another) every control path answers 401, JSON."""
    for method, path in [("GET", "/_sim/status"), ("POST", "/_sim/reset"), ("GET", "/_sim/x")]:
        status, body = await call(session, controlled, method, path, token=token)
        assert (status, body["code"]) == (401, -1002)
    status, _ = await call(session, controlled, "GET", "/_sim/status", bearer=True)
    assert status == 200


async def test_no_control_api_without_a_token(sim: Simulator, session) -> None:
    """A simulator without a control token serves no /_sim/ path: the exchange's 404."""
    status, body = await call(session, sim, "GET", "/_sim/status")
    assert (status, body["code"]) == (404, -1020)
    with pytest.raises(ValueError, match="control_token"):
        Simulator(control_token="")


async def test_status_and_clock(controlled: Simulator, session) -> None:
    """status shows the clock, limits, keys; clock sets offset, drift, freezing; jump steps."""
    creds = controlled.new_credentials("ed25519")
    status, body = await call(session, controlled, "GET", "/_sim/status")
    assert status == 200
    assert body["base_url"] == controlled.base_url
    assert body["keys"] == [{"api_key": creds.api_key, "kind": "ed25519", "account": "main"}]
    assert body["rate_limits"]["weight_limit"] == 2400
    assert body["rate_limits"]["order_limits"] == [[300, "SECOND", 10], [1200, "MINUTE", 1]]
    assert body["marks"]["BTCUSDT"] == "50000"
    status, clock = await call(
        session, controlled, "POST", "/_sim/clock", {"frozen": True, "at_ms": 1_700_000_000_000}
    )
    assert (status, clock["now_ms"], clock["frozen"]) == (200, 1_700_000_000_000, True)
    status, clock = await call(session, controlled, "POST", "/_sim/clock/jump", {"ms": -1500})
    assert clock["now_ms"] == 1_699_999_998_500 == controlled.clock.now_ms()
    status, clock = await call(
        session,
        controlled,
        "POST",
        "/_sim/clock",
        {"frozen": False, "offset_ms": 2000, "drift_ppm": 50},
    )
    assert (clock["frozen"], clock["drift_ppm"]) == (False, 50.0)
    assert 1990 < controlled.clock.offset_ms < 2100
    status, body = await call(session, controlled, "POST", "/_sim/clock", {"offset": 1})
    assert (status, body["code"]) == (400, -1130)


async def test_mark_trade_and_audit(controlled: Simulator, session) -> None:
    """mark_price moves the mark (resting orders fill), trade prints, audit lists requests."""
    raw = RawClient(session, controlled, controlled.new_credentials("hmac"))
    order = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.01",
        "price": "49000",
    }
    await raw.signed("POST", ORDER, {**order, "newClientOrderId": "a"})
    await raw.signed("POST", ORDER, {**order, "newClientOrderId": "b", "price": "48000"})
    status, body = await call(
        session, controlled, "POST", "/_sim/mark_price", {"symbol": "BTCUSDT", "price": "48900"}
    )
    assert (status, body) == (200, {"symbol": "BTCUSDT", "markPrice": "48900"})
    assert controlled.order(client_order_id="a").status == "FILLED"  # type: ignore[union-attr]
    status, body = await call(
        session,
        controlled,
        "POST",
        "/_sim/trade",
        {"symbol": "BTCUSDT", "price": "48000", "qty": "0.004"},
    )
    assert status == 200
    assert controlled.order(client_order_id="b").status == "PARTIALLY_FILLED"  # type: ignore[union-attr]
    status, audit = await call(session, controlled, "GET", "/_sim/audit")
    assert status == 200 and audit["next"] == 2
    assert [(r["method"], r["path"], r["status"]) for r in audit["requests"]] == [
        ("POST", ORDER, 200),
        ("POST", ORDER, 200),
    ]
    assert audit["accepted"] == {"a": 1, "b": 1} and audit["duplicates"] == {}
    _, later = await call(session, controlled, "GET", "/_sim/audit?since=1")
    assert [r["index"] for r in later["requests"]] == [1]
    for bad in (
        {"symbol": "NOPE", "price": "1"},
        {"symbol": "BTCUSDT", "price": "abc"},
        {"symbol": "BTCUSDT", "price": "-1"},
    ):
        status, body = await call(session, controlled, "POST", "/_sim/mark_price", bad)
        assert (status, body["code"]) == (400, -1130), bad
    status, body = await call(session, controlled, "GET", "/_sim/audit?since=-1")
    assert status == 400


async def test_faults_latency_and_reset(controlled: Simulator, session) -> None:
    """faults/next injects, faults/plan installs and removes a plan, latency is set, reset
    forgets what happened but keeps keys, clock, plan and latency."""
    creds = controlled.new_credentials("hmac")
    raw = RawClient(session, controlled, creds)
    market = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"}
    status, _ = await call(
        session, controlled, "POST", "/_sim/faults/next", {"kind": "unavailable", "count": 1}
    )
    assert status == 200
    r = await raw.signed("POST", ORDER, market)
    assert (r.status, r.json) == (503, {"code": -1000, "msg": "Service Unavailable."})
    status, _ = await call(
        session,
        controlled,
        "POST",
        "/_sim/faults/next",
        {"kind": "http_429", "endpoint": ["get", "/fapi/v1/time"]},
    )
    assert (await raw.public("GET", "/fapi/v1/time")).status == 429
    status, plan = await call(
        session, controlled, "PUT", "/_sim/faults/plan", {"unknown_executed": 0.25}
    )
    assert (status, plan["unknown_executed"]) == (200, 0.25)
    assert controlled.status()["faults"]["unknown_executed"] == 0.25
    status, body = await call(session, controlled, "PUT", "/_sim/faults/plan", {"nope": 1})
    assert (status, body["code"]) == (400, -1130)
    status, body = await call(session, controlled, "PUT", "/_sim/faults/plan", {"slow": 2})
    assert (status, body["code"]) == (400, -1130)
    status, latency = await call(
        session, controlled, "POST", "/_sim/latency", {"request_ms": 5, "response_ms": 1}
    )
    assert latency == {"request_ms": 5.0, "response_ms": 1.0}
    await raw.signed("POST", ORDER, {**market, "newClientOrderId": "kept?"})
    controlled.clock.jump(5000)
    controlled.set_mark_price("BTCUSDT", Decimal("51000"))
    status, after = await call(session, controlled, "POST", "/_sim/reset")
    assert status == 200
    assert controlled.audit.requests == [] and controlled.audit.orders == []
    assert controlled.position("BTCUSDT").amount == 0
    assert controlled.wallet_balance() == Decimal("100000")
    assert controlled.mark_price("BTCUSDT") == Decimal("50000")
    assert after["faults"]["unknown_executed"] == 0.25
    assert after["latency"] == {"request_ms": 5.0, "response_ms": 1.0}
    assert 4900 < controlled.clock.offset_ms < 5500  # the clock is kept
    assert (await raw.public("GET", "/fapi/v1/time")).status == 200  # keys kept, 429 forgotten
    status, _ = await call(session, controlled, "DELETE", "/_sim/faults/plan")
    assert status == 200 and controlled.status()["faults"] is None


async def test_reset_forgets_bans_and_counters(sim: Simulator, client: RawClient) -> None:
    """Simulator.reset: a banned IP is served again, weight counters start from zero."""
    sim.inject_next("http_418", endpoint=("GET", "/fapi/v1/ping"))
    assert (await client.public("GET", "/fapi/v1/ping")).status == 418
    assert (await client.public("GET", "/fapi/v1/time")).status == 418
    sim.reset()
    r = await client.public("GET", "/fapi/v1/time")
    assert (r.status, r.headers["X-MBX-USED-WEIGHT-1M"]) == (200, "1")


async def test_control_errors_are_json(controlled: Simulator, session) -> None:
    """Unknown control paths, wrong methods and non-JSON bodies: JSON code and msg."""
    status, body = await call(session, controlled, "GET", "/_sim/nope")
    assert (status, body["code"]) == (404, -1020)
    status, body = await call(session, controlled, "GET", "/_sim/reset")
    assert (status, body["code"]) == (405, -1020)
    async with session.post(
        controlled.base_url + "/_sim/clock/jump", data=b"{", headers={"X-Sim-Token": TOKEN}
    ) as r:
        assert (r.status, (await r.json())["code"]) == (400, -1130)
    status, body = await call(session, controlled, "POST", "/_sim/clock/jump", [1])
    assert (status, body["code"]) == (400, -1130)
    status, body = await call(
        session, controlled, "POST", "/_sim/faults/next", {"kind": "slow", "endpoint": "x"}
    )
    assert (status, body["code"]) == (400, -1130)


async def test_every_error_body_is_json(sim: Simulator, session) -> None:
    """A body too large and an unexpected failure are JSON with a code and msg too."""
    async with session.post(sim.base_url + ORDER, data=io.BytesIO(b"x" * (3 << 20))) as r:
        assert r.status == 413 and r.content_type == "application/json"
        assert (await r.json())["code"] == -1000
    sim.set_faults(FaultPlan(unavailable=1.0))
    raw = RawClient(session, sim, sim.new_credentials("hmac"))
    r = await raw.signed(
        "POST", ORDER, {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"}
    )
    assert r.json == {"code": -1000, "msg": "Service Unavailable."}


async def test_unexpected_exception_is_a_json_500(
    sim: Simulator, session, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug in a handler answers 500 {"code": -1000, "msg": "Request occur unknown error."}
    and is logged."""
    from binance_async.testing import routes

    def broken(call: object) -> object:
        raise RuntimeError("boom")

    route = routes.ROUTES[("GET", "/fapi/v1/ping")]
    monkeypatch.setitem(
        routes.ROUTES,
        ("GET", "/fapi/v1/ping"),
        type(route)(**{**_fields(route), "handler": broken}),
    )
    async with session.get(sim.base_url + "/fapi/v1/ping") as r:
        assert r.status == 500
        assert await r.json() == {"code": -1000, "msg": "Request occur unknown error."}
    assert "boom" in caplog.text


def _fields(route: object) -> dict[str, Any]:
    import attrs

    return attrs.asdict(route, recurse=False)  # type: ignore[arg-type]
