"""The simulator's WebSocket streams, read raw (aiohttp and orjson, no client code): paths and
routes, control messages, keep-alive rules, the feed's agreement with REST, user events, faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import orjson
import pytest

from binance_async.testing import Simulator
from binance_async.testing.streams import StreamServerConfig

from .conftest import RawClient

FAST = StreamServerConfig(interval_scale=0.1, tick_s=0.01)
BTC = {"symbol": "BTCUSDT"}


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """A simulator whose stream intervals are a tenth of the exchange's."""
    async with Simulator(streams=FAST) as simulator:
        yield simulator


async def _next(ws: aiohttp.ClientWebSocketResponse, within_s: float = 2.0) -> Any:
    msg = await ws.receive(timeout=within_s)
    assert msg.type == aiohttp.WSMsgType.TEXT, msg
    return orjson.loads(msg.data)


async def _until(ws: aiohttp.ClientWebSocketResponse, stream: str, within_s: float = 3.0) -> Any:
    """The next message of ``stream`` (others skipped)."""
    async with asyncio.timeout(within_s):
        while True:
            msg = await _next(ws, within_s)
            if msg.get("stream") == stream:
                return msg["data"]


async def _listen_key(client: RawClient) -> str:
    reply = await client.send("POST", "/fapi/v1/listenKey")
    assert reply.status == 200, reply
    key: str = reply.json["listenKey"]
    return key


async def test_routes_accept_their_streams_and_refuse_the_others(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    """Book streams on /public, the others on /market, all on the legacy paths; a stream on
    the wrong route or past 1024 refuses the handshake with 400."""
    url = sim.stream_url
    for path in (
        "/public/stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker",
        "/market/stream?streams=btcusdt@aggTrade/!markPrice@arr",
        "/stream?streams=btcusdt@aggTrade/btcusdt@depth",
        "/market/ws/btcusdt@aggTrade",
        "/ws/btcusdt@bookTicker",
    ):
        async with session.ws_connect(url + path) as ws:
            assert not ws.closed
    too_many = "/".join(f"s{i}usdt@aggTrade" for i in range(1025))
    for path in (
        "/public/stream?streams=btcusdt@aggTrade",
        "/market/stream?streams=btcusdt@depth",
        "/market/stream?streams=BTCUSDT@aggTrade",
        f"/market/stream?streams={too_many}",
        "/private/ws?listenKey=nope",
    ):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(url + path)
        assert refused.value.status == 400, path


async def test_control_messages(sim: Simulator, session: aiohttp.ClientSession) -> None:
    """SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET/GET_PROPERTY; errors carry codes 0-3."""
    async with session.ws_connect(sim.stream_url + "/market/stream") as ws:
        await ws.send_str(
            '{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","ethusdt@aggTrade"],"id":1}'
        )
        assert await _next(ws) == {"result": None, "id": 1}
        await ws.send_str('{"method":"UNSUBSCRIBE","params":["ethusdt@aggTrade"],"id":2}')
        assert await _next(ws) == {"result": None, "id": 2}
        await ws.send_str('{"method":"LIST_SUBSCRIPTIONS","id":3}')
        assert await _next(ws) == {"result": ["btcusdt@aggTrade"], "id": 3}
        await ws.send_str('{"method":"GET_PROPERTY","params":["combined"],"id":4}')
        assert await _next(ws) == {"result": True, "id": 4}
        await ws.send_str('{"method":"SUBSCRIBE","params":["btcusdt@depth"],"id":5}')
        assert (await _next(ws))["code"] == 2
        await ws.send_str('{"method":"SUBSCRIBE","params":[],"id":-1}')
        assert (await _next(ws))["code"] == 2
        await ws.send_str("{nope")
        assert (await _next(ws))["code"] == 3
        await ws.send_str('{"method":"SET_PROPERTY","params":["combined","yes"],"id":6}')
        assert (await _next(ws))["code"] == 1
        await ws.send_str('{"method":"SET_PROPERTY","params":["colour",true],"id":7}')
        assert (await _next(ws))["code"] == 0
        await ws.send_str('{"method":"SET_PROPERTY","params":["combined",false],"id":8}')
        assert await _next(ws) == {"result": None, "id": 8}
        sim.trade("BTCUSDT", Decimal("50000"), Decimal("1"))
        assert (await _next(ws))["e"] == "aggTrade"  # raw now: no wrapper


async def test_more_than_ten_messages_a_second_disconnects(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    """The eleventh incoming message within a second closes the connection (1008)."""
    async with session.ws_connect(sim.stream_url + "/market/stream") as ws:
        for i in range(11):
            await ws.send_str(f'{{"method":"LIST_SUBSCRIPTIONS","id":{i}}}')
        async with asyncio.timeout(2):
            while (await ws.receive()).type not in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
            ):
                pass
        assert ws.close_code == aiohttp.WSCloseCode.POLICY_VIOLATION


async def test_pings_pongs_and_lifetime(session: aiohttp.ClientSession) -> None:
    """The server pings; a pong keeps the connection, silence past the pong timeout drops it;
    the connection closes at its lifetime; the client's pings are answered."""
    config = StreamServerConfig(ping_interval_s=0.1, pong_timeout_s=0.3, max_lifetime_s=1.5)
    async with Simulator(streams=config) as sim:
        url = sim.stream_url + "/market/stream?streams=btcusdt@aggTrade"
        async with session.ws_connect(url, autoping=True) as answering:
            await answering.ping(b"hello")
            async with asyncio.timeout(3):
                msg = await answering.receive()
            # autoping hides pings and pongs: the connection lives until its lifetime ends.
            assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
            assert answering.close_code == aiohttp.WSCloseCode.GOING_AWAY
        async with session.ws_connect(url, autoping=False) as silent:
            loop = asyncio.get_running_loop()
            opened = loop.time()
            async with asyncio.timeout(2):
                assert (await silent.receive()).type == aiohttp.WSMsgType.PING
                while (await silent.receive()).type == aiohttp.WSMsgType.PING:
                    pass
            # dropped for the unanswered ping, well before its lifetime, without a close frame
            assert loop.time() - opened < 1.2
            assert silent.close_code != aiohttp.WSCloseCode.GOING_AWAY


async def test_agg_trades_on_the_stream_are_the_rest_tape(
    sim: Simulator, session: aiohttp.ClientSession, client: RawClient
) -> None:
    """Every trade printed reaches the aggTrade stream with the ids REST aggTrades answers."""
    async with session.ws_connect(sim.stream_url + "/market/stream?streams=btcusdt@aggTrade") as ws:
        for qty in ("1", "2", "3"):
            sim.trade("BTCUSDT", Decimal("50000"), Decimal(qty))
        streamed = [await _until(ws, "btcusdt@aggTrade") for _ in range(3)]
    rest = (await client.public("GET", "/fapi/v1/aggTrades", BTC)).json
    assert [{k: t[k] for k in "apqflTm"} for t in streamed] == rest
    assert [t["a"] for t in rest] == list(range(rest[0]["a"], rest[0]["a"] + 3))


def _apply(book: dict[str, dict[Decimal, str]], update: dict[str, Any]) -> None:
    for side in ("b", "a"):
        for price, qty in update[side]:
            if Decimal(qty) == 0:
                book[side].pop(Decimal(price), None)
            else:
                book[side][Decimal(price)] = qty


def _book(snapshot: dict[str, Any]) -> dict[str, dict[Decimal, str]]:
    return {s: {Decimal(p): q for p, q in snapshot[k]} for s, k in (("b", "bids"), ("a", "asks"))}


async def test_depth_updates_chain_and_cover_every_snapshot(
    sim: Simulator, session: aiohttp.ClientSession, client: RawClient
) -> None:
    """U/u/pu chain without a hole; a REST snapshot's lastUpdateId is the u of an update the
    stream carries; a snapshot plus the updates after it is the next snapshot."""
    url = sim.stream_url + "/public/stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker"
    async with session.ws_connect(url) as ws:
        first = await _until(ws, "btcusdt@depth@100ms")
        before = (await client.public("GET", "/fapi/v1/depth", {**BTC, "limit": 1000})).json
        assert first["U"] <= before["lastUpdateId"] <= first["u"]
        book = _book(before)
        sim.streams.set_liquidity("BTCUSDT", "BUY", Decimal("49999.90"), Decimal("7"))
        sim.set_mark_price("BTCUSDT", Decimal("50003"))
        seen: dict[str, Any] = {}
        async with asyncio.timeout(3):
            while len(seen) < 2:
                msg = await _next(ws)
                if msg["data"]["u"] > first["u"]:
                    seen[msg["stream"]] = msg["data"]
        update, ticker = seen["btcusdt@depth@100ms"], seen["btcusdt@bookTicker"]
        assert update["pu"] == first["u"] and update["U"] == first["u"] + 1 <= update["u"]
        _apply(book, update)
    after = (await client.public("GET", "/fapi/v1/depth", {**BTC, "limit": 100})).json
    assert after["lastUpdateId"] == update["u"]
    bids = sorted(book["b"].items(), reverse=True)[:100]
    asks = sorted(book["a"].items())[:100]
    assert [[f"{p:.2f}", q] for p, q in bids] == after["bids"]
    assert [[f"{p:.2f}", q] for p, q in asks] == after["asks"]
    assert after["bids"][0][0] == "50002.90" and ticker["b"] == "50002.90"
    assert ticker["u"] == update["u"]


async def test_mark_price_klines_and_tickers_stream(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    """markPrice, kline, ticker, miniTicker and the all-market arrays come on their pace,
    following a price path: the kline's high and low are the path's."""
    names = [
        "btcusdt@markPrice@1s",
        "btcusdt@kline_1m",
        "btcusdt@ticker",
        "btcusdt@miniTicker",
        "!markPrice@arr@1s",
    ]
    sim.clock.freeze()  # no candle edge mid-path
    path = [Decimal(p) for p in ("50050", "50200", "49900", "50100")]
    await sim.streams.follow_path("BTCUSDT", path, every_s=0.01)
    async with session.ws_connect(
        sim.stream_url + "/market/stream?streams=" + "/".join(names)
    ) as ws:
        seen: dict[str, Any] = {}
        async with asyncio.timeout(3):
            while len(seen) < len(names):
                msg = await _next(ws)
                seen[msg["stream"]] = msg["data"]
    assert seen["btcusdt@markPrice@1s"]["p"] == "50100.00000000"
    kline = seen["btcusdt@kline_1m"]["k"]
    assert (kline["c"], kline["h"], kline["l"]) == ("50100.00", "50200.00", "49900.00")
    assert seen["btcusdt@ticker"]["e"] == "24hrTicker"
    assert seen["btcusdt@miniTicker"]["e"] == "24hrMiniTicker"
    assert {m["s"] for m in seen["!markPrice@arr@1s"]} == set(sim.symbols)


async def test_user_events_follow_every_change(
    sim: Simulator, session: aiohttp.ClientSession, client: RawClient
) -> None:
    """A resting order, its partial fill, its cancel: ORDER_TRADE_UPDATE with x NEW, TRADE,
    CANCELED; the fill also TRADE_LITE and ACCOUNT_UPDATE; E never goes back."""
    key = await _listen_key(client)
    async with session.ws_connect(f"{sim.stream_url}/private/ws?listenKey={key}") as ws:
        placed = await client.signed(
            "POST",
            "/fapi/v1/order",
            {
                **BTC,
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "1",
                "price": "49000",
                "newClientOrderId": "sig-42",
            },
        )
        assert placed.status == 200, placed
        sim.trade("BTCUSDT", Decimal("49000"), Decimal("0.4"))
        await client.signed("DELETE", "/fapi/v1/order", {**BTC, "origClientOrderId": "sig-42"})
        events = [await _next(ws) for _ in range(5)]
    kinds = [(e["e"], e.get("o", {}).get("x")) for e in events]
    assert kinds == [
        ("ORDER_TRADE_UPDATE", "NEW"),
        ("TRADE_LITE", None),
        ("ORDER_TRADE_UPDATE", "TRADE"),
        ("ACCOUNT_UPDATE", None),
        ("ORDER_TRADE_UPDATE", "CANCELED"),
    ]
    trade = events[2]["o"]
    assert (trade["c"], trade["X"], trade["l"], trade["z"], trade["L"]) == (
        "sig-42",
        "PARTIALLY_FILLED",
        "0.400",
        "0.400",
        "49000.00",
    )
    update = events[3]["a"]
    assert update["m"] == "ORDER" and update["P"][0]["pa"] == "0.400"
    assert (
        update["B"][0]["wb"] == str(sim.wallet_balance().normalize())
        or Decimal(update["B"][0]["wb"]) == sim.wallet_balance()
    )
    times = [e["E"] for e in events]
    assert times == sorted(times)


async def test_a_listen_key_lives_sixty_minutes_on_the_exchange_clock(
    sim: Simulator, session: aiohttp.ClientSession, client: RawClient
) -> None:
    """A key not kept alive expires 60 minutes later on the simulator's clock: its stream gets
    listenKeyExpired; a keep-alive before then extends it."""
    key = await _listen_key(client)
    async with session.ws_connect(f"{sim.stream_url}/private/ws?listenKey={key}") as ws:
        sim.clock.jump(59 * 60_000)
        assert (await client.send("PUT", "/fapi/v1/listenKey")).status == 200
        sim.clock.jump(59 * 60_000)  # 118 minutes after creation, 59 after the keep-alive
        with pytest.raises(TimeoutError):
            await ws.receive(timeout=0.1)
        sim.clock.jump(60_001)
        expired = await _next(ws)
        assert (expired["e"], expired["listenKey"]) == ("listenKeyExpired", key)


async def test_listen_key_expiry_and_faults(
    sim: Simulator, session: aiohttp.ClientSession, client: RawClient
) -> None:
    """An expired key: listenKeyExpired, then nothing; its keep-alive answers -1125. A stall
    goes silent; a shutdown announces itself and closes; a drop cuts."""
    key = await _listen_key(client)
    async with session.ws_connect(f"{sim.stream_url}/private/ws?listenKey={key}") as ws:
        assert sim.streams.expire_listen_key("main")
        expired = await _next(ws)
        assert (expired["e"], expired["listenKey"]) == ("listenKeyExpired", key)
        sim.trade("BTCUSDT", Decimal("50000"), Decimal("1"))
        with pytest.raises(TimeoutError):
            await ws.receive(timeout=0.2)
    assert (await client.send("PUT", "/fapi/v1/listenKey")).code == -1125
    assert await _listen_key(client) != key
    url = sim.stream_url + "/market/stream?streams=btcusdt@aggTrade"
    async with session.ws_connect(url) as stalled:
        assert sim.streams.stall("/market") == 1
        sim.trade("BTCUSDT", Decimal("50000"), Decimal("1"))
        with pytest.raises(TimeoutError):
            await stalled.receive(timeout=0.3)
    async with session.ws_connect(url) as closing:
        assert sim.streams.shutdown("/market") == 1
        assert (await _next(closing))["e"] == "serverShutdown"
        async with asyncio.timeout(3):
            assert (await closing.receive()).type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
            )
    async with session.ws_connect(url) as cut:
        assert sim.streams.drop() >= 1
        async with asyncio.timeout(2):
            assert (await cut.receive()).type in (
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.ERROR,
                aiohttp.WSMsgType.CLOSE,
            )


async def test_a_consumer_too_slow_is_dropped(session: aiohttp.ClientSession) -> None:
    """A connection whose unsent events pass the send buffer limit is dropped (the exchange's
    treatment of a consumer too slow)."""
    async with (
        Simulator(streams=StreamServerConfig(send_buffer_limit=5)) as sim,
        session.ws_connect(sim.stream_url + "/market/stream?streams=btcusdt@aggTrade"),
    ):
        for _ in range(10):  # all at once: the writer cannot send between them
            sim.trade("BTCUSDT", Decimal("50000"), Decimal("1"))
        assert sim.streams.slow_drops == 1
