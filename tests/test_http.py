"""The HTTP transport: a borrowed session, headers on the wire, and no resend behind our back."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp import web

from binance_async.endpoint import Endpoint, Security
from binance_async.errors import RequestInfo
from binance_async.http import HttpTransport
from binance_async.testing import Simulator

from .conftest import make_client


async def test_borrowed_session_is_used_and_not_closed(sim: Simulator) -> None:
    """A session passed in is borrowed: used for requests, left open on aclose()."""
    async with aiohttp.ClientSession() as session:
        async with make_client(sim, sim.new_credentials("hmac"), session=session) as client:
            await client.ping()
        assert not session.closed
    with pytest.raises(ValueError, match="borrowed"):
        HttpTransport(
            base_url="http://127.0.0.1:9",
            api_key=None,
            recv_window_ms=5000,
            local_addresses=["127.0.0.2"],
            session=session,
        )


@pytest.mark.parametrize("method", ["DELETE", "PUT"])
async def test_dropped_cancel_or_modify_is_sent_once_then_queried(
    sim: Simulator, method: str
) -> None:
    """A cancel or modify whose connection drops after executing goes out once, then a query."""
    async with make_client(sim, sim.new_credentials("hmac")) as client:
        await client.new_order(
            symbol="BTCUSDT",
            side="BUY",
            type="LIMIT",
            quantity="0.01",
            price="40000",
            new_client_order_id="drop-1",
        )
        sim.inject_next("drop_after_execute", endpoint=(method, "/fapi/v1/order"))
        if method == "DELETE":
            order = await client.cancel_order(symbol="BTCUSDT", orig_client_order_id="drop-1")
            assert order.status == "CANCELED"
        else:
            order = await client.modify_order(
                symbol="BTCUSDT",
                side="BUY",
                quantity="0.01",
                price="40100",
                orig_client_order_id="drop-1",
            )
            assert order.price == 40100
    writes = [r for r in sim.audit.requests if r.method == method]
    assert len(writes) == 1 and writes[0].fault == "drop_after_execute"
    assert order.reconciled


async def test_headers_on_the_wire_own_and_borrowed_session() -> None:
    """Every request that needs the API key carries it, a public one does not; a form body
    its Content-Type; an own session sends the library's User-Agent, a borrowed one keeps the
    User-Agent it was given."""
    seen: list[tuple[str, dict[str, str], bytes]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append((request.method, dict(request.headers), await request.read()))
        return web.json_response({})

    app = web.Application()
    app.router.add_route("*", "/fapi/v1/x", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    get = Endpoint(method="GET", path="/fapi/v1/x", weight=1, security=Security.SIGNED)
    post = Endpoint(method="POST", path="/fapi/v1/x", weight=1, security=Security.SIGNED)
    public = Endpoint(method="GET", path="/fapi/v1/x", weight=1, security=Security.NONE)
    public_post = Endpoint(method="POST", path="/fapi/v1/x", weight=1, security=Security.NONE)
    info = RequestInfo("GET", "/fapi/v1/x")
    try:
        own = HttpTransport(base_url=f"http://127.0.0.1:{port}", api_key="K1", recv_window_ms=5000)
        await own.open()
        try:
            await own.send(get, "a=1", 0, 5.0, info)
            await own.send(post, "b=2", 0, 5.0, info)
            await own.send(get, "", 0, 5.0, info)
            await own.send(public, "a=1", 0, 5.0, info)
            await own.send(public, "", 0, 5.0, info)
            await own.send(public_post, "c=3", 0, 5.0, info)
        finally:
            await own.close()
        async with aiohttp.ClientSession(headers={"User-Agent": "mine/1"}) as session:
            borrowed = HttpTransport(
                base_url=f"http://127.0.0.1:{port}",
                api_key="K2",
                recv_window_ms=5000,
                session=session,
            )
            await borrowed.open()
            await borrowed.send(get, "a=1", 0, 5.0, info)
            await borrowed.send(post, "b=2", 0, 5.0, info)
            await borrowed.close()
            assert not session.closed
    finally:
        await runner.cleanup()
    assert [(m, h.get("X-MBX-APIKEY"), h["User-Agent"], body) for m, h, body in seen] == [
        ("GET", "K1", "binance_async", b""),
        ("POST", "K1", "binance_async", b"b=2"),
        ("GET", "K1", "binance_async", b""),
        ("GET", None, "binance_async", b""),
        ("GET", None, "binance_async", b""),
        ("POST", None, "binance_async", b"c=3"),
        ("GET", "K2", "mine/1", b""),
        ("POST", "K2", "mine/1", b"b=2"),
    ]
    assert [h.get("Content-Type") for _, h, _ in seen] == [
        None,
        "application/x-www-form-urlencoded",
        None,
        None,
        None,
        "application/x-www-form-urlencoded",
        None,
        "application/x-www-form-urlencoded",
    ]
