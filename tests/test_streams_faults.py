"""Every stream fault in one run: drops, a stall, a server shutdown, an expired listenKey, the
connection lifetime (the 24 h cut, shortened) and a consumer too slow for its queue, while the
market trades and the account places, fills and cancels. At the end every aggregate trade the
exchange printed reached the consumer once, in order; the local book is the exchange's; the
account mirror is the exchange's account."""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal
from typing import Any

from binance_async import AggTrade, UMFutures
from binance_async.testing import Simulator
from binance_async.testing.streams import StreamServerConfig

from .conftest import RETRY
from .test_user_stream import mirror_matches, until

SYMBOLS = ("BTCUSDT", "ETHUSDT")
MARKS = {"BTCUSDT": Decimal("50000"), "ETHUSDT": Decimal("3000")}
TICKS = {"BTCUSDT": Decimal("0.10"), "ETHUSDT": Decimal("0.01")}
#: (seconds into the run, fault)
FAULTS = (
    (0.7, "drop"),
    (1.4, "stall"),
    (2.2, "shutdown"),
    (2.9, "expire"),
    (3.5, "drop private"),
    (4.2, "slow consumer"),
)
RUN_S = 5.2


async def drive_market(sim: Simulator, client: UMFutures, rng: random.Random) -> None:
    """Trades on both symbols, a wandering mark, orders placed, filled and cancelled."""
    loop = asyncio.get_running_loop()
    end = loop.time() + RUN_S
    resting: list[str] = []
    step = 0
    while loop.time() < end:
        step += 1
        symbol = rng.choice(SYMBOLS)
        tick = TICKS[symbol]
        MARKS[symbol] += tick * rng.randint(-3, 3)
        sim.set_mark_price(symbol, MARKS[symbol])
        sim.trade(symbol, MARKS[symbol] - tick * rng.randint(0, 4), Decimal("0.003"))
        if step % 4 == 0:
            cid = f"soak-{step}"
            price = MARKS["BTCUSDT"] - Decimal("0.10") * rng.randint(1, 8)
            await client.new_order(
                symbol="BTCUSDT",
                side="BUY",
                type="LIMIT",
                time_in_force="GTC",
                quantity=Decimal("0.003"),
                price=price,
                new_client_order_id=cid,
            )
            resting.append(cid)
        if step % 9 == 0 and resting:
            cid = resting.pop(0)
            order = sim.order(client_order_id=cid)
            if order is not None and order.is_open:
                await client.cancel_order(symbol="BTCUSDT", orig_client_order_id=cid)
        if step % 13 == 0:
            side = rng.choice(("BUY", "SELL"))
            await client.new_order(
                symbol="BTCUSDT", side=side, type="MARKET", quantity=Decimal("0.003")
            )
        await asyncio.sleep(0.012)


async def inject_faults(sim: Simulator, slow: asyncio.Event) -> list[str]:
    """The fault schedule; what was done."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    done: list[str] = []
    for at, fault in FAULTS:
        await asyncio.sleep(max(0.0, start + at - loop.time()))
        if fault == "drop":
            sim.streams.drop()
        elif fault == "stall":
            sim.streams.stall("/market")
        elif fault == "shutdown":
            sim.streams.shutdown("/public")
        elif fault == "expire":
            sim.streams.expire_listen_key("main")
        elif fault == "drop private":
            sim.streams.drop("/private")
        elif fault == "slow consumer":
            slow.set()
        done.append(fault)
    return done


async def test_every_fault_in_one_run_loses_and_doubles_nothing() -> None:
    """Trades exactly once and in order; book and account mirror equal to the exchange's."""
    config = StreamServerConfig(interval_scale=0.1, tick_s=0.01, max_lifetime_s=2.5)
    rng = random.Random(11)
    async with Simulator(streams=config, seed=11) as sim:
        creds = sim.new_credentials("hmac")
        async with UMFutures(
            creds.api_key,
            creds.api_secret,
            base_url=sim.base_url,
            stream_url=sim.stream_url,
            recv_window_ms=1000,
            request_timeout_s=1.0,
            retry=RETRY,
            stream_idle_timeout_s=0.6,
            stream_queue_size=24,
        ) as client:
            names = [f"{s.lower()}@aggTrade" for s in SYMBOLS] + ["btcusdt@bookTicker"]
            async with (
                client.stream(*names) as stream,
                client.order_book("BTCUSDT") as book,
                client.user_stream() as user,
            ):
                slow = asyncio.Event()
                got: dict[str, list[int]] = {s: [] for s in SYMBOLS}

                async def consume() -> None:
                    async for event in stream:
                        if isinstance(event, AggTrade):
                            got[event.symbol or ""].append(event.agg_id)
                        if slow.is_set():
                            slow.clear()
                            await asyncio.sleep(0.6)  # the queue of 24 overflows meanwhile

                consumer = asyncio.create_task(consume())
                faults = asyncio.create_task(inject_faults(sim, slow))
                await drive_market(sim, client, rng)
                assert await faults == [f for _, f in FAULTS]
                await asyncio.sleep(1.0)  # let every stream catch up

                tapes = {s: [t.agg_id for t in sim.streams.trades(s)] for s in SYMBOLS}
                await until(lambda: all(len(got[s]) >= len(tapes[s]) for s in SYMBOLS), 5.0)
                consumer.cancel()
                for symbol in SYMBOLS:
                    first = got[symbol][0]
                    assert got[symbol] == [i for i in tapes[symbol] if i >= first], symbol

                depth = await client.depth("BTCUSDT", limit=100)
                updates = aiter(book)
                async with asyncio.timeout(3):
                    while book.last_update_id != depth.last_update_id:
                        await anext(updates)
                assert book.bids(100) == list(depth.bids) and book.asks(100) == list(depth.asks)

                try:
                    await until(lambda: user.synced and mirror_matches(sim, user), 5.0)
                except TimeoutError:
                    _explain(sim, user)
                    raise
                stats, user_stats = stream.stats, user.stats

    assert stats.reconnects >= 4 and stats.rotations >= 1 and stats.dropped > 0
    assert stats.backfilled > 0
    assert book.resyncs >= 1
    assert user_stats.renewals >= 1 and user_stats.resyncs >= 3


def _explain(sim: Simulator, user: Any) -> None:  # pragma: no cover - a failing run's report
    for cid, order in user.orders.items():
        held = sim.order(client_order_id=cid)
        if held is None or (held.status, held.executed_qty) != (order.status, order.executed_qty):
            print("order", cid, order.status, order.executed_qty, held)
    print("open", sorted(o.client_order_id for o in sim.open_orders()))
    print("positions", dict(user.positions), sim.position("BTCUSDT"))
    print("balance", user.balances.get("USDT"), sim.wallet_balance(), user.stats)
