"""Algo (conditional) orders through the client: validation, the guarantees of regular orders
under faults, triggers, and cancels of orders that already triggered."""

from __future__ import annotations

from decimal import Decimal

import pytest

from binance_async import AlgoOrder, CancelRejected, InvalidRequest, UMFutures
from binance_async.testing import Simulator

from .conftest import fast_client, params, ready, wire

ALGO = "/fapi/v1/algoOrder"


async def stop(client: UMFutures, cid: str, trigger: str = "45000.0") -> AlgoOrder:
    """A SELL STOP_MARKET below the mark, reduce-only."""
    return await client.new_algo_order(
        symbol="BTCUSDT",
        side="SELL",
        type="STOP_MARKET",
        quantity="0.010",
        trigger_price=trigger,
        reduce_only=True,
        client_algo_id=cid,
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"type": "STOP_MARKET", "quantity": "0.010"},  # no trigger price
        {"type": "STOP", "quantity": "0.010", "trigger_price": "45000.0"},  # no price
        {"type": "TAKE_PROFIT_MARKET", "trigger_price": "55000.0"},  # no quantity
        {"type": "TRAILING_STOP_MARKET", "quantity": "0.010", "callback_rate": "11"},
        {"type": "TRAILING_STOP_MARKET", "quantity": "0.010", "callback_rate": "1",
         "trigger_price": "45000.0"},
        {"type": "STOP_MARKET", "trigger_price": "45000.0", "close_position": True,
         "quantity": "0.010"},
        {"type": "STOP", "quantity": "0.010", "price": "45000.0", "trigger_price": "45000.0",
         "close_position": True},
        {"type": "STOP_MARKET", "quantity": "0.010", "trigger_price": "45000.05"},  # tick
        {"type": "MARKET", "quantity": "0.010", "trigger_price": "45000.0"},
        {"type": "STOP_MARKET", "quantity": "0.0105", "trigger_price": "45000.0"},  # step
    ],
)  # fmt: skip
async def test_bad_algo_orders_are_refused_before_sending(
    sim: Simulator, kwargs: dict[str, object]
) -> None:
    """Missing or contradictory conditional parameters, off-tick triggers: nothing sent."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        with pytest.raises(InvalidRequest):
            await client.new_algo_order(symbol="BTCUSDT", side="SELL", **kwargs)  # type: ignore[arg-type]
    assert wire(sim, "POST", ALGO) == []


@pytest.mark.parametrize("fault", ["unknown_executed", "drop_after_execute", "slow"])
async def test_an_algo_order_that_executed_is_found_by_its_client_algo_id(
    sim: Simulator, fault: str
) -> None:
    """The answer is lost but the order exists: one query by clientAlgoId, never a resend."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        sim.inject_next(fault, endpoint=("POST", ALGO), delay_s=0.8)  # type: ignore[arg-type]
        order = await stop(client, "algo-found")
    assert order.reconciled and order.client_algo_id == "algo-found"
    held = sim.algo_order(client_algo_id="algo-found")
    assert held is not None and held.algo_id == order.algo_id
    (post,) = wire(sim, "POST", ALGO)
    assert params(post)["clientAlgoId"] == "algo-found"
    queries = wire(sim, "GET", ALGO)
    assert queries and all(params(q)["clientAlgoId"] == "algo-found" for q in queries)
    assert "symbol" not in params(queries[0])  # the algo query names the order by id alone
    assert sim.audit.accepted["algo-found"] == 1


@pytest.mark.parametrize("fault", ["unknown_not_executed", "drop_before_execute"])
async def test_an_algo_order_that_never_executed_is_proven_absent_then_resent_once(
    sim: Simulator, fault: str
) -> None:
    """Absent past its recvWindow on the server's and the local clock: sent again, same id."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        sim.inject_next(fault, endpoint=("POST", ALGO))  # type: ignore[arg-type]
        order = await stop(client, "algo-absent")
    first, resend = wire(sim, "POST", ALGO)
    assert params(first)["clientAlgoId"] == params(resend)["clientAlgoId"] == "algo-absent"
    absent = [q for q in wire(sim, "GET", ALGO) if q.code == -2013]
    assert absent[-1].server_time_ms > int(params(first)["timestamp"]) + 1000
    assert sim.audit.accepted["algo-absent"] == 1 and order.status == "NEW"


async def test_a_triggered_algo_order_places_its_order_and_cannot_be_cancelled(
    sim: Simulator,
) -> None:
    """The mark crosses the trigger: the algo order names the order it placed; a cancel
    reports the final state instead of an error."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        await client.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.010")
        placed = await stop(client, "algo-trig", trigger="49000.0")
        sim.set_mark_price("BTCUSDT", Decimal("48900.0"))
        after = await client.get_algo_order(client_algo_id="algo-trig")
        assert after.status in ("TRIGGERED", "FINISHED") and after.actual_order_id
        final = await client.cancel_algo_order(algo_id=placed.algo_id)
        assert final.status == after.status and final.algo_id == placed.algo_id
        deletes = wire(sim, "DELETE", ALGO)
        assert len(deletes) == 1 and deletes[0].code == -2011
        resulting = await client.get_order(symbol="BTCUSDT", order_id=after.actual_order_id)
    assert resulting.status == "FILLED" and resulting.side == "SELL"


async def test_cancelling_an_unknown_algo_order_is_a_definite_refusal(sim: Simulator) -> None:
    """No such algo order: the refusal stands (it never existed)."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        with pytest.raises(CancelRejected):
            await client.cancel_algo_order(client_algo_id="never-placed")
