"""Market streams against the simulator: routes and connections, live subscriptions, the pace
of control messages, aggregate trades exactly once across drops, stalls and overflows, gaps,
rotation without a gap, the order book kept equal to the exchange's, and closing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from binance_async import (
    AggTrade,
    BinanceError,
    BookTicker,
    DepthUpdate,
    InvalidRequest,
    Kline,
    MarkPrice,
    MiniTicker,
    StreamGap,
    Ticker,
    UMFutures,
)
from binance_async.streams.hub import StreamHub
from binance_async.streams.market import MarketStream
from binance_async.streams.settings import StreamConfig
from binance_async.testing import Simulator
from binance_async.testing.streams import StreamServerConfig
from binance_async.venue import StreamPaths

FAST = StreamServerConfig(interval_scale=0.1, tick_s=0.01)
PRICE = Decimal("50000")


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """A simulator whose stream intervals are a tenth of the exchange's."""
    async with Simulator(streams=FAST) as simulator:
        yield simulator


def stream_client(sim: Simulator, **kwargs: Any) -> UMFutures:
    """A keyless client on the simulator's REST and streams, with a short idle timeout."""
    options: dict[str, Any] = {"stream_idle_timeout_s": 0.6, **kwargs}
    return UMFutures(base_url=sim.base_url, stream_url=sim.stream_url, **options)


async def take(stream: Any, count: int, within_s: float = 5.0) -> list[Any]:
    """The next ``count`` events."""
    out: list[Any] = []
    async with asyncio.timeout(within_s):
        async for event in stream:
            out.append(event)
            if len(out) >= count:
                break
    return out


async def until(condition: Any, within_s: float = 3.0) -> None:
    """Poll ``condition()`` until true (bounded)."""
    async with asyncio.timeout(within_s):
        while True:
            if condition():
                return
            await asyncio.sleep(0.02)


def tape_ids(sim: Simulator, symbol: str = "BTCUSDT") -> list[int]:
    """Aggregate trade ids the exchange printed (REST aggTrades' ids)."""
    return [t.agg_id for t in sim.streams.trades(symbol)]


async def test_book_streams_go_to_public_and_the_others_to_market(sim: Simulator) -> None:
    """One stream() over two connections; events typed, Decimals read when asked."""
    async with (
        stream_client(sim) as client,
        client.stream("BTCUSDT@aggTrade", "btcusdt@bookTicker") as stream,
    ):
        assert sim.streams.connections("/public") == sim.streams.connections("/market") == 1
        assert stream.subscriptions == ("btcusdt@aggTrade", "btcusdt@bookTicker")
        sim.trade("BTCUSDT", PRICE, Decimal("0.5"))
        sim.set_mark_price("BTCUSDT", Decimal("50010"))
        events = await take(stream, 2)
    kinds = {type(e): e for e in events}
    trade, ticker = kinds[AggTrade], kinds[BookTicker]
    assert (trade.symbol, trade.price, trade.qty, trade.stream) == (
        "BTCUSDT",
        PRICE,
        Decimal("0.500"),
        "btcusdt@aggTrade",
    )
    assert trade.agg_id == tape_ids(sim)[0] and not trade.is_buyer_maker
    assert ticker.bid_price == Decimal("50009.90") and ticker.ask_price == Decimal("50010.10")
    assert ticker.update_id is not None and ticker.event_time_ms is not None


async def test_other_events_are_typed(sim: Simulator) -> None:
    """markPrice, kline, ticker, miniTicker and depth come as their records."""
    names = ("btcusdt@markPrice@1s", "btcusdt@kline_1m", "btcusdt@ticker")
    async with (
        stream_client(sim) as client,
        client.stream(*names, "btcusdt@miniTicker", "btcusdt@depth5@100ms") as stream,
    ):
        seen: dict[type, Any] = {}
        async with asyncio.timeout(5):
            async for event in stream:
                seen[type(event)] = event
                if len(seen) == 5:
                    break
    mark = seen[MarkPrice]
    assert (mark.symbol, mark.mark_price, mark.stream) == ("BTCUSDT", PRICE, names[0])
    kline = seen[Kline]
    assert (kline.symbol, kline.interval, kline.closed, kline.close) == (
        "BTCUSDT",
        "1m",
        False,
        PRICE,
    )
    assert seen[Ticker].last_price == PRICE and seen[MiniTicker].close_price == PRICE
    depth = seen[DepthUpdate]
    assert len(depth.bids) == 5 and depth.bids[0] == (Decimal("49999.90"), Decimal("0.040"))


async def test_subscribe_and_unsubscribe_live(sim: Simulator) -> None:
    """subscribe() adds to a connection of the stream's route; unsubscribe() removes; a stream
    the exchange refuses raises InvalidRequest and is not kept."""
    async with stream_client(sim) as client, client.stream("btcusdt@aggTrade") as stream:
        await stream.subscribe("ethusdt@aggTrade", "ethusdt@bookTicker")
        assert sim.streams.subscriptions() == {
            "btcusdt@aggTrade": 1,
            "ethusdt@aggTrade": 1,
            "ethusdt@bookTicker": 1,
        }
        assert sim.streams.connections() == 2
        await stream.unsubscribe("btcusdt@aggTrade", "ethusdt@bookTicker")
        assert stream.subscriptions == ("ethusdt@aggTrade",)
        assert set(sim.streams.subscriptions()) == {"ethusdt@aggTrade"}
        with pytest.raises(InvalidRequest):
            await stream.subscribe("no spaces@aggTrade")
        sim.trade("ETHUSDT", Decimal("3000"), Decimal("1"))
        sim.trade("BTCUSDT", PRICE, Decimal("1"))
        (event,) = await take(stream, 1)
        assert event.symbol == "ETHUSDT"


async def test_over_1024_streams_spread_and_subscribe_at_the_allowed_pace(sim: Simulator) -> None:
    """1100 streams take two connections; those past the URL's share are subscribed by
    messages that never pass 10 a second (the exchange would disconnect), one id each."""
    names = [f"s{i}usdt@aggTrade" for i in range(1100)]
    loop = asyncio.get_running_loop()
    async with stream_client(sim) as client:
        started = loop.time()
        async with client.stream(*names) as stream:
            elapsed = loop.time() - started
            assert len(stream.links) == 2
            assert sorted(len(link.names) for link in stream.links) == [76, 1024]
            assert sum(sim.streams.subscriptions().values()) == 1100
            assert stream.stats.reconnects == 0
    # 824 names past the URL's 200 go in 5 messages of at most 200, spaced over a second.
    assert elapsed >= 0.4


async def test_many_subscribe_calls_stay_under_the_limit(sim: Simulator) -> None:
    """Twenty subscribe() calls at once: queued, paced, all answered; no disconnect."""
    async with stream_client(sim) as client, client.stream("btcusdt@aggTrade") as stream:
        await asyncio.gather(*(stream.subscribe(f"x{i}usdt@aggTrade") for i in range(20)))
        assert len(sim.streams.subscriptions()) == 21
        assert stream.stats.reconnects == 0 and sim.streams.connections() == 1


async def test_agg_trades_exactly_once_across_drops(sim: Simulator) -> None:
    """Trades printed while the connection is down are backfilled over REST before the next
    live one: every id once, in order."""
    async with (
        stream_client(sim) as client,
        client.stream("btcusdt@aggTrade", "btcusdt@bookTicker") as stream,
    ):
        sim.trade("BTCUSDT", PRICE, Decimal("1"))
        got = [e.agg_id for e in await take(stream, 1) if isinstance(e, AggTrade)]
        for _ in range(3):
            sim.streams.drop()
            for _ in range(5):
                sim.trade("BTCUSDT", PRICE, Decimal("1"))
            async with asyncio.timeout(5):
                async for event in stream:
                    if isinstance(event, AggTrade):
                        got.append(event.agg_id)
                    if len(got) == len(tape_ids(sim)):
                        break
        stats = stream.stats
    assert got == tape_ids(sim)
    assert stats.reconnects >= 3 and stats.backfilled >= 5 and stats.duplicates >= 0


async def test_a_full_queue_drops_the_oldest_then_backfills_and_reports(sim: Simulator) -> None:
    """A consumer too slow for its queue: the connection stays up; the oldest messages go;
    aggregate trades are backfilled, the other streams get a StreamGap saying how many."""
    async with (
        stream_client(sim, stream_queue_size=8) as client,
        client.stream("btcusdt@aggTrade", "btcusdt@bookTicker") as stream,
    ):
        for i in range(40):
            sim.trade("BTCUSDT", PRICE, Decimal("1"))
            sim.set_mark_price("BTCUSDT", PRICE + i)
            await asyncio.sleep(0.012)  # the feed's tick sends the book ticker
        trades: list[int] = []
        gaps: list[StreamGap] = []
        async with asyncio.timeout(5):
            async for event in stream:
                if isinstance(event, AggTrade):
                    trades.append(event.agg_id)
                elif isinstance(event, StreamGap):
                    gaps.append(event)
                if len(trades) == 40 and gaps:
                    break
        stats = stream.stats
    assert trades == tape_ids(sim)
    assert stats.reconnects == 0 and stats.dropped > 0 and stats.backfilled > 0
    assert gaps and {(g.stream, g.reason) for g in gaps} == {("btcusdt@bookTicker", "overflow")}
    assert gaps[0].dropped > 0 and gaps[0].start_ms is not None and gaps[0].end_ms is not None


async def test_a_silent_connection_is_replaced(sim: Simulator) -> None:
    """A stalled connection (no event, no pong) is replaced after the idle timeout; the
    trades of the silence are backfilled; the ticker reports the gap."""
    async with (
        stream_client(sim) as client,
        client.stream("btcusdt@aggTrade", "btcusdt@bookTicker") as stream,
    ):
        sim.trade("BTCUSDT", PRICE, Decimal("1"))
        (first,) = await take(stream, 1)
        sim.streams.stall()
        sim.trade("BTCUSDT", PRICE, Decimal("2"))
        events = await take(stream, 2, within_s=5)
        stats = stream.stats
    trade, gap = sorted(events, key=lambda e: isinstance(e, StreamGap))
    assert [first.agg_id, trade.agg_id] == tape_ids(sim)
    assert (gap.stream, gap.reason) == ("btcusdt@bookTicker", "reconnect")
    assert gap.start_ms is not None and gap.end_ms is not None
    assert gap.end_ms - gap.start_ms >= 600  # the silence counts: the idle timeout at least
    assert stats.reconnects == 2 and stats.backfilled == 1  # both connections went silent


async def test_rotation_before_the_lifetime_loses_and_repeats_nothing() -> None:
    """Connections are replaced before the exchange's cut: a second one overlaps, events
    seen on both are delivered once, nothing is missed and no gap is reported."""
    config = StreamServerConfig(interval_scale=0.1, tick_s=0.01, max_lifetime_s=1.5)
    async with (
        Simulator(streams=config) as sim,
        stream_client(sim, stream_rotate_after_s=0.6) as client,
    ):
        names = ("btcusdt@aggTrade", "btcusdt@markPrice@1s", "btcusdt@bookTicker")
        async with client.stream(*names) as stream:
            events: list[Any] = []

            async def drive() -> None:
                for i in range(120):
                    sim.trade("BTCUSDT", PRICE, Decimal("1"))
                    sim.set_mark_price("BTCUSDT", PRICE + i % 7)
                    await asyncio.sleep(0.02)

            driver = asyncio.create_task(drive())
            async with asyncio.timeout(10):
                async for event in stream:
                    events.append(event)
                    if driver.done() and len([e for e in events if isinstance(e, AggTrade)]) == 120:
                        break
            stats = stream.stats
    assert [e.agg_id for e in events if isinstance(e, AggTrade)] == tape_ids(sim)
    assert not [e for e in events if isinstance(e, StreamGap)]
    keys = [(e.stream, e.raw.get("E"), e.raw.get("u")) for e in events]
    assert len(keys) == len(set(keys))
    assert stats.rotations >= 3 and stats.reconnects == 0 and stats.backfilled == 0


async def test_server_shutdown_rotates_at_once(sim: Simulator) -> None:
    """serverShutdown: a new connection takes over before the old one closes; no gap."""
    async with stream_client(sim) as client, client.stream("btcusdt@aggTrade") as stream:
        sim.streams.shutdown()
        await until(lambda: stream.stats.rotations > 0)
        sim.trade("BTCUSDT", PRICE, Decimal("1"))
        (event,) = await take(stream, 1)
        assert isinstance(event, AggTrade) and stream.stats.reconnects == 0


async def test_order_book_equals_the_exchange_book(sim: Simulator) -> None:
    """Snapshot + diff stream: the local book is the exchange's, through mark moves, resting
    orders, scripted liquidity and a dropped connection (a resync)."""
    creds = sim.new_credentials()
    async with (
        UMFutures(
            creds.api_key, creds.api_secret, base_url=sim.base_url, stream_url=sim.stream_url
        ) as client,
        client.order_book("BTCUSDT") as book,
    ):
        assert book.synced and book.bids(1) == [(Decimal("49999.90"), Decimal("0.040"))]
        await client.new_order(
            symbol="BTCUSDT",
            side="SELL",
            type="LIMIT",
            time_in_force="GTC",
            quantity=Decimal("2"),
            price=Decimal("50000.30"),
        )
        sim.streams.set_liquidity("BTCUSDT", "BUY", Decimal("49985.50"), Decimal("9"))
        sim.set_mark_price("BTCUSDT", Decimal("49990"))
        sim.streams.drop("/public")
        sim.set_mark_price("BTCUSDT", Decimal("49995"))
        await asyncio.sleep(0.3)
        depth = await client.depth("BTCUSDT", limit=100)
        updates = aiter(book)
        async with asyncio.timeout(3):
            while book.last_update_id != depth.last_update_id:
                await anext(updates)
        assert book.bids(100) == list(depth.bids) and book.asks(100) == list(depth.asks)
        assert book.resyncs >= 1 and book.asks(1)[0][0] == Decimal("49995.10")
        assert dict(book.bids(100))[Decimal("49985.50")] > 9  # scripted on the ladder


async def test_closing_the_client_closes_its_streams() -> None:
    """aclose() ends every iteration and leaves no task and no connection behind."""
    async with Simulator(streams=FAST) as sim:
        creds = sim.new_credentials()
        client = UMFutures(
            creds.api_key, creds.api_secret, base_url=sim.base_url, stream_url=sim.stream_url
        )
        await client.open()
        before = set(asyncio.all_tasks())
        stream = await client.stream("btcusdt@aggTrade").__aenter__()
        book = await client.order_book("BTCUSDT").__aenter__()
        user = await client.user_stream().__aenter__()

        async def drain(source: Any) -> int:
            return len([e async for e in source])

        readers = [asyncio.create_task(drain(s)) for s in (stream, book, user)]
        await asyncio.sleep(0.1)
        await client.aclose()
        async with asyncio.timeout(2):
            await asyncio.gather(*readers)
        await asyncio.sleep(0.05)
        assert set(asyncio.all_tasks()) - before - {asyncio.current_task()} == set()
        assert sim.streams.connections() == 0


async def test_stream_urls_default_to_the_venue_and_are_never_guessed() -> None:
    """wss://fstream.binance.com (testnet's with testnet=True); a custom base_url needs
    stream_url: without it no stream opens."""
    prod = UMFutures()._stream_hub
    assert (prod.market_url, prod.private_url) == (
        "wss://fstream.binance.com",
        "wss://fstream.binance.com/private",
    )
    assert UMFutures(testnet=True)._stream_hub.market_url == "wss://fstream.binancefuture.com"
    custom = UMFutures(base_url="http://127.0.0.1:1")
    with pytest.raises(InvalidRequest, match="stream_url"):
        async with custom.stream("btcusdt@aggTrade"):
            pass
    assert UMFutures(stream_url="ws://h:1/")._stream_hub.private_url == "ws://h:1/private"
    with pytest.raises(ValueError, match="stream_url"):
        UMFutures(stream_url="http://h")


async def test_a_book_of_an_unknown_symbol_refuses_to_open(sim: Simulator) -> None:
    """The snapshot's refusal (-1121) comes out of async with; nothing is left open."""
    async with stream_client(sim) as client:
        with pytest.raises(BinanceError) as refused:
            async with client.order_book("NOPEUSDT"):
                pass
        assert refused.value.code == -1121
        assert sim.streams.connections() == 0 and client._stream_hub.open_streams == 0


async def test_the_paths_are_the_venues(sim: Simulator) -> None:
    """A venue that serves every market stream at one path (StreamPaths() : Spot's layout)
    gets one connection there for book and trade streams alike; USD-M's split is its data."""
    hub = StreamHub(
        config=StreamConfig(),
        market_url=sim.stream_url,
        private_url=None,
        now_ms=sim.clock.now_ms,
        paths=StreamPaths(),
    )
    try:
        async with MarketStream(hub, ["btcusdt@aggTrade", "btcusdt@bookTicker"]) as stream:
            assert (sim.streams.connections(""), sim.streams.connections()) == (1, 1)
            assert [link.connection.url for link in stream.links if link.connection] == [
                f"{sim.stream_url}/stream?streams=btcusdt@aggTrade/btcusdt@bookTicker"
            ]
            sim.trade("BTCUSDT", PRICE, Decimal("1"))
            assert {type(e) for e in await take(stream, 2)} == {AggTrade, BookTicker}
    finally:
        await hub.aclose()
    assert UMFutures.venue.stream_paths == StreamPaths(
        market="/market", book="/public", private="/private"
    )
