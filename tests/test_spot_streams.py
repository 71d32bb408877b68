"""Spot's market streams on the client against the simulator's Spot streams (real WebSocket
connections on loopback): the streams host, Spot's event types, every trade id once across a
dropped connection (aggTrades backfilled over REST), the local order book kept exact from
depth diffs without ``pu``, and SUBSCRIBE paced under Spot's 5 messages a second."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import attrs
import pytest

from binance_async import (
    AggTrade,
    AvgPriceEvent,
    BookTicker,
    Depth,
    DepthUpdate,
    Kline,
    MiniTicker,
    Spot,
    Ticker,
    TradeEvent,
)
from binance_async.testing import Simulator
from binance_async.testing.spot.streams import SPOT_STREAMS

from .conftest import make_spot

BTC = "BTCUSDT"
#: Spot's rules, the periodic streams ten times faster.
FAST_STREAMS = attrs.evolve(SPOT_STREAMS, interval_scale=0.1)


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """A simulator serving Spot's streams at their documented rules, faster."""
    async with Simulator(seed=1, spot_streams=FAST_STREAMS) as simulator:
        yield simulator


@pytest.fixture
async def spot(sim: Simulator) -> AsyncIterator[Spot]:
    """A Spot client with its streams at ``sim.spot_stream_url``."""
    async with make_spot(
        sim, sim.new_credentials("hmac"), stream_url=sim.spot_stream_url
    ) as client:
        yield client


async def take(stream: Any, count: int, kind: type | tuple[type, ...]) -> list[Any]:
    """The next ``count`` events of ``kind`` (others skipped), within 10 s."""
    out: list[Any] = []
    async with asyncio.timeout(10):
        async for event in stream:
            if isinstance(event, kind):
                out.append(event)
                if len(out) == count:
                    return out
    raise AssertionError(f"the stream ended after {len(out)} of {count}")


def test_stream_hosts() -> None:
    """Spot streams at wss://stream.binance.com:9443, testnet's with testnet=True; a
    custom base_url has none unless stream_url names one; 3 SUBSCRIBE a second at most."""
    assert Spot()._stream_hub.market_url == "wss://stream.binance.com:9443"
    assert Spot(testnet=True)._stream_hub.market_url == "wss://stream.testnet.binance.vision"
    custom = Spot(base_url="http://127.0.0.1:1", stream_url="ws://127.0.0.1:2/spot")
    assert custom._stream_hub.market_url == "ws://127.0.0.1:2/spot"
    assert custom._stream_hub.config.control_rate_per_s == 3  # 5 a second, pings and pongs in
    assert custom._stream_hub.config.max_streams_per_connection == 1024


async def test_trades_and_agg_trades_as_printed(sim: Simulator, spot: Spot) -> None:
    """Each print reaches ``@trade`` as a TradeEvent and ``@aggTrade`` as an AggTrade, with
    the tape's ids, prices and quantities, in order, on one combined connection."""
    async with spot.stream("btcusdt@trade", "BTCUSDT@aggTrade") as stream:
        for n in range(3):
            sim.spot_trade(BTC, Decimal(50000 + n), Decimal("0.5"))
        events = await take(stream, 6, (TradeEvent, AggTrade))
        assert stream.stats.connections == 1
    printed = sim.spot_streams.trades(BTC)[-3:]
    trades = [e for e in events if isinstance(e, TradeEvent)]
    aggs = [e for e in events if isinstance(e, AggTrade)]
    assert [(t.trade_id, t.price, t.qty) for t in trades] == [
        (p.trade_id, p.price, p.qty) for p in printed
    ]
    assert [a.agg_id for a in aggs] == [p.agg_id for p in printed]
    assert all(t.symbol == BTC and t.stream == "btcusdt@trade" for t in trades)


async def test_agg_trades_backfilled_across_a_drop(sim: Simulator, spot: Spot) -> None:
    """Trades printed while the connection is down come from GET /api/v3/aggTrades?fromId=:
    every aggregate id once, in order."""
    async with spot.stream("btcusdt@aggTrade") as stream:
        sim.spot_trade(BTC, Decimal(50000), Decimal("0.1"))
        (first,) = await take(stream, 1, AggTrade)
        assert sim.spot_streams.drop() == 1
        for n in range(4):
            sim.spot_trade(BTC, Decimal(50001 + n), Decimal("0.1"))
        rest = await take(stream, 4, AggTrade)
        assert stream.stats.reconnects >= 1
    ids = [first.agg_id, *(a.agg_id for a in rest)]
    assert ids == list(range(first.agg_id, first.agg_id + 5))
    backfills = [r for r in sim.audit.requests if r.path == "/api/v3/aggTrades"]
    assert backfills and all("fromId=" in r.query for r in backfills)


async def test_spot_event_types(sim: Simulator, spot: Spot) -> None:
    """bookTicker, depth diffs, partial books, klines, tickers, mini tickers and the average
    price arrive as their records, with the exchange's values."""
    names = [
        "btcusdt@bookTicker", "btcusdt@depth@100ms", "btcusdt@depth5@100ms",
        "btcusdt@kline_1s", "btcusdt@ticker", "btcusdt@miniTicker", "btcusdt@avgPrice",
    ]  # fmt: skip
    kinds = (BookTicker, DepthUpdate, Depth, Kline, Ticker, MiniTicker, AvgPriceEvent)
    seen: dict[type, Any] = {}
    async with spot.stream(*names) as stream:
        async with asyncio.timeout(10):
            price = Decimal(50000)
            async for event in stream:
                if isinstance(event, kinds) and type(event) not in seen:
                    seen[type(event)] = event
                if len(seen) == len(kinds):
                    break
                price += 1  # the book moves: depth and bookTicker have news
                sim.spot_set_price(BTC, price)
    avg = seen[AvgPriceEvent]
    assert avg.interval == "5m" and avg.price > 0 and avg.symbol == BTC
    diff = seen[DepthUpdate]
    assert "pu" not in diff.raw and diff.first_update_id <= diff.final_update_id
    assert len(seen[Depth].bids) == 5 and seen[Kline].interval == "1s"
    assert seen[BookTicker].bid_price < seen[BookTicker].ask_price


async def test_order_book_follows_the_diffs_and_resyncs(sim: Simulator, spot: Spot) -> None:
    """The local book equals the exchange's book after moves, through U = previous u + 1
    chaining; a lost diff breaks the chain and the book takes a new snapshot."""

    async def settled(book: Any, bid: Decimal) -> None:
        async with asyncio.timeout(10):
            async for _ in book:
                best = book.bids(1)
                if book.synced and best and best[0][0] == bid:
                    return

    async with spot.order_book(BTC, limit=100) as book:
        for step in range(1, 4):
            sim.spot_set_price(BTC, Decimal(50000 + step * 5))
            await settled(book, Decimal(50000 + step * 5) - Decimal("0.01"))
        rest = await spot.depth(BTC, limit=20)
        assert book.bids(20) == list(rest.bids) and book.asks(20) == list(rest.asks)
        assert book.resyncs == 0 and book.updates >= 3
        sim.spot_streams.lose_next("btcusdt@depth@100ms")
        price = Decimal(50100)
        for _ in range(100):  # the next diff is lost; the one after it does not follow
            if book.resyncs:
                break
            price += 1
            sim.spot_set_price(BTC, price)
            await asyncio.sleep(0.05)
        assert book.resyncs >= 1
        await settled(book, price - Decimal("0.01"))
        rest = await spot.depth(BTC, limit=20)
        assert book.bids(20) == list(rest.bids) and book.asks(20) == list(rest.asks)


async def test_subscribes_paced_under_five_messages_a_second(sim: Simulator) -> None:
    """Streams added one call at a time go out as SUBSCRIBE messages no faster than Spot
    takes them: the server never closes the connection for its rate."""
    async with (
        make_spot(sim, sim.new_credentials("hmac"), stream_url=sim.spot_stream_url) as client,
        client.stream("btcusdt@trade") as stream,
    ):
        for name in ("ethusdt@trade", "btcusdt@aggTrade", "ethusdt@aggTrade",
                     "btcusdt@bookTicker", "ethusdt@bookTicker", "btcusdt@avgPrice",
                     "ethusdt@avgPrice", "btcusdt@miniTicker"):  # fmt: skip
            await stream.subscribe(name)
        assert sim.spot_streams.connections() == 1
        assert len(sim.spot_streams.subscriptions()) == 9
        assert stream.stats.reconnects == 0
