"""Keeping stream connections alive against the simulator: the server's pings answered, the
reconnect backoff and its jitter (growing while connections die young), every stream
resubscribed after a reconnect."""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal

from binance_async import AggTrade, UMFutures
from binance_async.streams.hub import StreamHub
from binance_async.streams.link import reconnect_delay_s
from binance_async.streams.market import MarketStream
from binance_async.streams.settings import StreamConfig
from binance_async.testing import Simulator
from binance_async.testing.streams import StreamServerConfig

from .test_streams import FAST, PRICE, take, until


async def test_the_servers_pings_are_answered() -> None:
    """The server pings every 150 ms and drops a connection whose pong is 100 ms late: a
    stream open for 1.5 s (ten pings) keeps its one connection."""
    config = StreamServerConfig(
        interval_scale=0.1, tick_s=0.01, ping_interval_s=0.15, pong_timeout_s=0.1
    )
    async with (
        Simulator(streams=config) as sim,
        # The client's own watchdog stays out of it: it would ping only after 20 s of silence.
        UMFutures(
            base_url=sim.base_url, stream_url=sim.stream_url, stream_idle_timeout_s=30
        ) as client,
        client.stream("btcusdt@aggTrade") as stream,
    ):
        await asyncio.sleep(1.5)
        sim.trade("BTCUSDT", PRICE, Decimal("1"))
        (event,) = await take(stream, 1)
        assert isinstance(event, AggTrade)
        assert stream.stats.reconnects == 0 and sim.streams.connections("/market") == 1


def test_reconnect_delays_double_up_to_the_cap_with_jitter() -> None:
    """0.25 s, 0.5 s, 1 s ... capped at 30 s, each spread +-50 % at random; two clients cut at
    once do not come back in step."""
    config = StreamConfig()
    rng = random.Random(7)
    for attempt in range(25):
        base = min(30.0, 0.25 * 2**attempt)
        draws = [reconnect_delay_s(attempt, config, rng) for _ in range(200)]
        assert all(base * 0.5 <= d <= base * 1.5 for d in draws), attempt
        assert min(draws) < base * 0.6 and max(draws) > base * 1.4  # the whole spread is used
    one, other = random.Random(1), random.Random(2)
    assert [reconnect_delay_s(3, config, one) for _ in range(5)] != [
        reconnect_delay_s(3, config, other) for _ in range(5)
    ]
    calm = StreamConfig(reconnect_jitter=0.0, reconnect_base_delay_s=1.0, reconnect_max_delay_s=5)
    assert [reconnect_delay_s(a, calm, rng) for a in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]


async def test_a_reconnect_resubscribes_every_stream() -> None:
    """250 streams (200 in the URL, the rest subscribed by message) and one added later: after
    a drop the new connection carries all 251, each reports its outage, and the added one
    still delivers."""
    names = [f"s{i}usdt@aggTrade" for i in range(249)] + ["btcusdt@aggTrade"]
    async with (
        Simulator(streams=FAST) as sim,
        UMFutures(
            base_url=sim.base_url, stream_url=sim.stream_url, stream_idle_timeout_s=0.6
        ) as client,
        client.stream(*names) as stream,
    ):
        await stream.subscribe("ethusdt@aggTrade")
        assert sum(sim.streams.subscriptions().values()) == 251
        assert sim.streams.drop() == 1
        await until(lambda: stream.stats.reconnects == 1 and stream.stats.connections == 1)
        await until(lambda: sum(sim.streams.subscriptions().values()) == 251)
        assert set(sim.streams.subscriptions()) == set(names) | {"ethusdt@aggTrade"}
        assert sim.streams.connections() == 1
        sim.trade("ETHUSDT", Decimal("3000"), Decimal("1"))
        events = await take(stream, 252)
    # No trade was seen before the drop, so each stream reports its outage; then the trade.
    gaps, (trade,) = events[:-1], events[-1:]
    assert {(g.stream, g.reason) for g in gaps} == {(n, "reconnect") for n in set(names)} | {
        ("ethusdt@aggTrade", "reconnect")
    }
    assert isinstance(trade, AggTrade) and trade.symbol == "ETHUSDT"


async def test_connections_dropped_at_once_back_off_more_each_time() -> None:
    """The server ends every connection 50 ms after it opens (less than the idle timeout): the
    pauses before each reconnect double (0.25, 0.5, 1, 2 s, +-50 %) instead of starting over
    with each brief connection, and every connection carries the stream again."""
    config = StreamServerConfig(interval_scale=0.1, tick_s=0.01, max_lifetime_s=0.05)
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        await asyncio.sleep(0.01)  # the test does not wait the pause out

    async with Simulator(streams=config) as sim:
        hub = StreamHub(
            config=StreamConfig(idle_timeout_s=0.6),
            market_url=sim.stream_url,
            private_url=None,
            now_ms=sim.clock.now_ms,
            paths=UMFutures.venue.stream_paths,
            sleep=sleep,
        )
        try:
            async with MarketStream(hub, ["btcusdt@aggTrade"]) as stream:
                await until(lambda: len(pauses) >= 5)
                reconnects = stream.stats.reconnects
        finally:
            await hub.aclose()
    assert reconnects >= 5
    for attempt, pause in enumerate(pauses[:5]):
        assert 0.25 * 2**attempt * 0.5 <= pause <= 0.25 * 2**attempt * 1.5, (attempt, pauses)
