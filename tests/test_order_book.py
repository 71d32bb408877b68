"""The local order book against the simulator, on the breaks other than a reconnect: a
``pu`` that does not follow, a queue overflowed while a snapshot was being taken; and the
weight of its snapshots counted by the client's limiter."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from binance_async import UMFutures
from binance_async.streams.book import OrderBook
from binance_async.testing import Simulator

from .test_streams import FAST, until

BTC = "BTCUSDT"
#: GET /fapi/v1/depth with limit=1000 weighs 20.
SNAPSHOT_WEIGHT = 20


def used_weight(client: UMFutures) -> int:
    """The REQUEST_WEIGHT the client's limiter counts in its current window."""
    return sum(w.used for w in client.limits.windows if w.kind == "REQUEST_WEIGHT")


async def equals_the_exchange(client: UMFutures, book: OrderBook) -> None:
    """Wait for the book to reach a fresh REST snapshot's id, then compare every level."""
    depth = await client.depth(BTC, limit=100)
    await until(
        lambda: book.last_update_id is not None and book.last_update_id >= depth.last_update_id
    )
    assert book.last_update_id == depth.last_update_id
    assert book.bids(100) == list(depth.bids) and book.asks(100) == list(depth.asks)


async def wander(sim: Simulator, steps: int) -> None:
    """The mark moves a tick every 20 ms: the book changes, depth updates flow."""
    for i in range(steps):
        sim.set_mark_price(BTC, Decimal("50000") + Decimal("0.10") * (i % 9))
        await asyncio.sleep(0.02)


async def test_a_pu_that_does_not_follow_resynchronises_and_snapshots_pass_the_limiter() -> None:
    """One depth update lost on the way: the next one's pu breaks the chain; the book takes a
    new snapshot by itself (no reconnect) and equals the exchange's again. Each snapshot's
    weight is counted by the client's limiter."""
    async with (
        Simulator(streams=FAST) as sim,
        UMFutures(base_url=sim.base_url, stream_url=sim.stream_url) as client,
    ):
        before = used_weight(client)  # the clock's samples
        book = await client.order_book(BTC).__aenter__()
        assert used_weight(client) == before + SNAPSHOT_WEIGHT == sim.used_weight("127.0.0.1")
        await wander(sim, 5)
        await until(lambda: book.updates > 0)
        sim.streams.lose_next("btcusdt@depth@100ms")
        await wander(sim, 10)
        await until(lambda: book.resyncs == 1 and book.synced)
        await equals_the_exchange(client, book)
        assert book.stream.stats.reconnects == 0 and book.stream.stats.gaps == 0
        # two snapshots and the REST depth(limit=100) read above (weight 5)
        assert used_weight(client) == before + 2 * SNAPSHOT_WEIGHT + 5
        assert used_weight(client) == sim.used_weight("127.0.0.1")
        await book.aclose()


async def test_an_overflow_during_the_snapshot_resynchronises() -> None:
    """The first snapshot takes 0.4 s while updates pour into a queue of 4: the oldest are
    dropped and counted, the book sees the gap, takes a new snapshot and equals the
    exchange's."""
    async with (
        Simulator(streams=FAST) as sim,
        UMFutures(base_url=sim.base_url, stream_url=sim.stream_url, stream_queue_size=4) as client,
    ):
        sim.inject_next("slow", endpoint=("GET", "/fapi/v1/depth"), delay_s=0.4)
        driver = asyncio.create_task(wander(sim, 40))
        async with client.order_book(BTC) as book:
            await driver
            await until(lambda: book.resyncs >= 1 and book.synced)
            await equals_the_exchange(client, book)
            stats = book.stream.stats
        assert stats.dropped > 0 and stats.gaps >= 1 and stats.reconnects == 0
