"""Spot against the simulator's faults: an order, an order list, a cancel-replace and the
cancels whose answer is lost are settled by query (client id, listClientOrderId) before
anything is sent again, never doubled; -1021 is repaired; bursts draw no 429.

Timing as in tests/test_reconcile.py: recvWindow 1000 ms, a 300 ms settle margin and a
100/200/400/800 ms backoff without jitter.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from binance_async import OrderList, Spot, SpotOrder
from binance_async.testing import (
    Credentials,
    FaultKind,
    FaultPlan,
    RequestRecord,
    Simulator,
    SpotConfig,
    SpotRateLimitConfig,
)

from .conftest import MARGIN_MS, RECV_WINDOW_MS, RETRY, make_spot, params

ORDER = ("POST", "/api/v3/order")
QUERY = ("GET", "/api/v3/order")
CANCEL = ("DELETE", "/api/v3/order")
OCO = ("POST", "/api/v3/orderList/oco")
LIST_QUERY = ("GET", "/api/v3/orderList")
LIST_CANCEL = ("DELETE", "/api/v3/orderList")
REPLACE = ("POST", "/api/v3/order/cancelReplace")
BTC = "BTCUSDT"
FAST: dict[str, Any] = {
    "recv_window_ms": RECV_WINDOW_MS,
    "request_timeout_s": 0.5,
    "call_deadline_s": 10.0,
    "retry": RETRY,
}


def spot_client(sim: Simulator, creds: Credentials | None = None, **kwargs: Any) -> Spot:
    """A fast Spot client on ``sim`` (HMAC unless ``creds`` says otherwise)."""
    return make_spot(sim, creds or sim.new_credentials("hmac"), **{**FAST, **kwargs})


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[Spot]:
    """An open fast Spot client with exchangeInfo read; the audit starts empty."""
    async with spot_client(sim) as c:
        await c.exchange_info()
        sim.audit.clear()
        yield c


def sent(sim: Simulator, route: tuple[str, str]) -> list[RequestRecord]:
    """What the exchange received on ``route``, in order."""
    return [r for r in sim.audit.requests if (r.method, r.path) == route]


def settle_point(record: RequestRecord) -> int:
    """Server ms after which the request can no longer be accepted, plus the margin."""
    return int(params(record)["timestamp"]) + RECV_WINDOW_MS + MARGIN_MS


async def market(client: Spot, cid: str) -> SpotOrder:
    """A small MARKET buy (it fills at once)."""
    return await client.new_order(
        symbol=BTC, side="BUY", type="MARKET", quantity=Decimal("0.001"), new_client_order_id=cid
    )


async def resting(client: Spot, cid: str, price: str = "49000") -> SpotOrder:
    """A LIMIT buy below the price: it rests."""
    return await client.new_order(
        symbol=BTC, side="BUY", type="LIMIT", quantity="0.001", price=price,
        new_client_order_id=cid,
    )  # fmt: skip


async def oco(client: Spot, list_cid: str) -> OrderList:
    """A SELL OCO around the price."""
    return await client.new_order_list_oco(
        symbol=BTC, side="SELL", quantity="0.001", above_type="LIMIT_MAKER",
        above_price="52000", below_type="STOP_LOSS_LIMIT", below_price="47900",
        below_stop_price="48000", list_client_order_id=list_cid,
    )  # fmt: skip


@pytest.mark.parametrize("kind", ["unknown_executed", "drop_after_execute", "slow"])
async def test_executed_order_with_a_lost_answer_is_found_by_one_query(
    sim: Simulator, client: Spot, kind: FaultKind
) -> None:
    """503 unknown, a dropped answer or a timeout after execution: one query by client id,
    no resend."""
    sim.inject_next(kind, endpoint=ORDER, delay_s=1.0)
    order = await market(client, f"e-{kind[:4]}")
    assert [r.fault for r in sent(sim, ORDER)] == [kind]
    (query,) = sent(sim, QUERY)
    assert params(query)["origClientOrderId"] == f"e-{kind[:4]}"
    assert order.reconciled and order.status == "FILLED"
    assert sim.audit.accepted[f"e-{kind[:4]}"] == 1 and not sim.audit.duplicates()


@pytest.mark.parametrize("kind", ["unknown_not_executed", "drop_before_execute"])
async def test_order_never_executed_is_resent_once_past_its_recv_window(
    sim: Simulator, client: Spot, kind: FaultKind
) -> None:
    """Absent on a query sent past timestamp + recvWindow + margin: resent once, same id."""
    sim.inject_next(kind, endpoint=ORDER)
    order = await market(client, "n-1")
    first, second = sent(sim, ORDER)
    assert params(first)["newClientOrderId"] == params(second)["newClientOrderId"] == "n-1"
    assert second.server_time_ms > settle_point(first)
    assert all(r.code == -2013 for r in sent(sim, QUERY))
    assert not order.reconciled and order.status == "FILLED"
    assert sim.audit.accepted["n-1"] == 1 and client.stats.resubmissions == 1


@pytest.mark.parametrize(
    ("kind", "resent"),
    [("unknown_executed", False), ("drop_after_execute", False), ("unknown_not_executed", True)],
)
async def test_order_list_with_a_lost_answer_settled_by_its_list_client_id(
    sim: Simulator, client: Spot, kind: FaultKind, resent: bool
) -> None:
    """A lost OCO answer: queried by listClientOrderId (as origClientOrderId, without a
    symbol) until found, or resent once proven absent; never two lists."""
    sim.inject_next(kind, endpoint=OCO)
    placed = await oco(client, f"l-{kind[:4]}")
    assert len(sent(sim, OCO)) == (2 if resent else 1)
    queries = sent(sim, LIST_QUERY)
    assert queries and all(
        {k: v for k, v in params(q).items() if k not in ("timestamp", "recvWindow", "signature")}
        == {"origClientOrderId": f"l-{kind[:4]}"}
        for q in queries
    )
    assert placed.reconciled is not resent and placed.is_open
    assert sim.audit.accepted[f"l-{kind[:4]}"] == 1 and not sim.audit.duplicates()


@pytest.mark.parametrize("kind", ["unknown_executed", "drop_after_execute"])
async def test_lost_cancel_replace_executed_is_settled_by_queries(
    sim: Simulator, client: Spot, kind: FaultKind
) -> None:
    """A cancel-replace whose answer is lost after it executed: the new order found by its
    id, the old one found cancelled; nothing is sent again."""
    old = await resting(client, "old-1")
    sim.inject_next(kind, endpoint=REPLACE)
    result = await client.cancel_replace_order(
        symbol=BTC, side="BUY", type="LIMIT", quantity="0.001", price="48500",
        cancel_replace_mode="STOP_ON_FAILURE", cancel_orig_client_order_id="old-1",
        new_client_order_id="new-1",
    )  # fmt: skip
    assert result.reconciled and result.succeeded
    # Cancelled, the order carries the cancel's client id: found under it.
    assert result.cancelled is not None and result.cancelled.order_id == old.order_id
    assert result.cancelled.status == "CANCELED"
    assert result.new_order is not None and result.new_order.client_order_id == "new-1"
    assert len(sent(sim, REPLACE)) == 1 and len(sent(sim, ORDER)) == 1
    assert sim.audit.accepted["new-1"] == 1 and not sim.audit.duplicates()


async def test_lost_cancel_replace_not_executed_is_sent_again(sim: Simulator, client: Spot) -> None:
    """Not executed: the new order proven absent and the old one still open, the
    cancel-replace goes again with the same ids, and both halves are done once."""
    await resting(client, "old-2")
    sim.inject_next("unknown_not_executed", endpoint=REPLACE)
    result = await client.cancel_replace_order(
        symbol=BTC, side="BUY", type="LIMIT", quantity="0.001", price="48500",
        cancel_replace_mode="ALLOW_FAILURE", cancel_orig_client_order_id="old-2",
        new_client_order_id="new-2",
    )  # fmt: skip
    assert result.succeeded and not result.reconciled
    first, second = sent(sim, REPLACE)
    assert second.server_time_ms > settle_point(first)
    old = sim.spot_order(client_order_id="old-2")
    assert old is not None and old.status == "CANCELED"
    assert sim.audit.accepted["new-2"] == 1 and not sim.audit.duplicates()


async def test_cancel_replace_409_against_the_simulator(sim: Simulator, client: Spot) -> None:
    """The new order refused after the cancel succeeded (a LIMIT_MAKER that would take): the
    409 is a result saying so."""
    await resting(client, "old-3")
    result = await client.cancel_replace_order(
        symbol=BTC, side="BUY", type="LIMIT_MAKER", quantity="0.001", price="51000",
        cancel_replace_mode="STOP_ON_FAILURE", cancel_orig_client_order_id="old-3",
        new_client_order_id="new-3",
    )  # fmt: skip
    assert result.partial and result.cancel_result == "SUCCESS"
    assert result.new_order_result == "FAILURE" and result.new_order_refusal is not None
    assert [r.status for r in sent(sim, REPLACE)] == [409]


@pytest.mark.parametrize("kind", ["unknown_executed", "drop_after_execute"])
async def test_lost_cancels_settled_by_query(sim: Simulator, client: Spot, kind: FaultKind) -> None:
    """A cancel (of an order, of a list) whose answer is lost: the query shows it done (the
    order under the cancel's client id, which a cancelled Spot order takes)."""
    await resting(client, "c-1")
    placed = await oco(client, "cl-1")
    sim.inject_next(kind, endpoint=CANCEL)
    cancelled = await client.cancel_order(symbol=BTC, orig_client_order_id="c-1")
    assert cancelled.status == "CANCELED" and cancelled.reconciled
    sim.inject_next(kind, endpoint=LIST_CANCEL)
    done = await client.cancel_order_list(symbol=BTC, order_list_id=placed.order_list_id)
    assert done.status == "ALL_DONE" and done.reconciled
    assert len(sent(sim, CANCEL)) == 1 and len(sent(sim, LIST_CANCEL)) == 1


async def test_timestamp_refusal_repaired(sim: Simulator, client: Spot) -> None:
    """-1021 on an order: the clock is resynced and the order sent once more, placed once."""
    sim.inject_next("invalid_timestamp", endpoint=ORDER)
    order = await market(client, "ts-1")
    assert [r.code for r in sent(sim, ORDER)] == [-1021, None]
    assert order.status == "FILLED" and sim.audit.accepted["ts-1"] == 1
    assert client.stats.timestamp_resends == 1


async def test_server_clock_offset_estimated(sim: Simulator) -> None:
    """A server clock 2.5 s behind: no signed request is refused for its timestamp."""
    sim.clock.set_offset_ms(-2500)
    async with spot_client(sim, sim.new_credentials("ed25519")) as client:
        assert abs(client.clock.offset_ms + 2500) <= client.clock.uncertainty_ms + 2
        await client.account()
        await market(client, "off-1")
    assert all(r.code != -1021 for r in sim.audit.requests)


async def test_random_faults_never_duplicate(sim: Simulator) -> None:
    """Orders and order lists under random faults: each client id accepted at most once,
    every call ending in its order or a definite error."""
    plan = FaultPlan(
        unknown_executed=0.15,
        unknown_not_executed=0.1,
        drop_after_execute=0.1,
        drop_before_execute=0.05,
        unavailable=0.1,
    )
    async with spot_client(sim, call_deadline_s=20.0) as client:
        await client.exchange_info()
        sim.set_faults(plan)

        async def one(n: int) -> Any:
            if n % 6 == 0:  # 4 lists: their stop legs stay within MAX_NUM_ALGO_ORDERS (5)
                return await oco(client, f"rl-{n}")
            return await resting(client, f"ro-{n}", price=str(48000 + n))

        results = await asyncio.gather(*(one(n) for n in range(24)), return_exceptions=True)
        sim.set_faults(None)
    assert not sim.audit.duplicates()
    assert all(isinstance(r, SpotOrder | OrderList) for r in results), results
    for n in range(24):
        cid = f"rl-{n}" if n % 6 == 0 else f"ro-{n}"
        assert sim.audit.accepted[cid] == 1, cid


async def test_bursts_draw_no_429() -> None:
    """Ten weight budgets and five order budgets' worth from concurrent tasks: no 429, no
    418, no window over its limit."""
    limits = SpotRateLimitConfig(
        weight_limit=120,
        weight_interval="SECOND",
        weight_interval_num=1,
        order_limits=((10, "SECOND", 1), (100_000, "DAY", 1)),
    )
    async with Simulator(spot=SpotConfig(rate_limits=limits)) as sim:
        async with spot_client(sim, call_deadline_s=60.0) as client:
            await client.exchange_info()

            async def reader(n: int) -> None:
                await client.depth(BTC, limit=100)  # 5
                await (client.ticker_price() if n % 2 else client.ping())  # 4 or 1

            async def writer(n: int) -> None:
                await resting(client, f"b-{n}", price=str(40000 + n))

            async with asyncio.timeout(60):
                await asyncio.gather(
                    *(reader(n) for n in range(150)), *(writer(n) for n in range(50))
                )
        assert sim.audit.status_count(429) == 0 and sim.audit.status_count(418) == 0
        per_window = sim.audit.max_weight_per_window()
        assert max(per_window.values()) <= 120
        counts = sim.audit.max_orders_per_window()
        assert {label for _, label, _ in counts} == {"1S", "1D"}
        assert all(n <= (10 if label == "1S" else 100_000) for (_, label, _), n in counts.items())
        assert max(n for (_, label, _), n in counts.items() if label == "1D") == 50
        assert len(sim.spot_open_orders(symbol=BTC)) == 50
