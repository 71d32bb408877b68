"""Never lose or duplicate an order: each fault alone, and exactly what goes on the wire.

Every test reads the simulator's audit (what the exchange received, and accepted), never the
client's internals. Timing: recvWindow 1000 ms, a 300 ms settle margin and a 100/200/400/800
ms backoff without jitter, so "how many" and "when" are exact, with wide room for slow hosts.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from decimal import Decimal

import orjson
import pytest

from binance_async import (
    BinanceError,
    DuplicateClientOrderId,
    ExecutionUnknown,
    InvalidRequest,
    Order,
    UMFutures,
)
from binance_async.config import RetryConfig
from binance_async.testing import RequestRecord, Simulator

from .conftest import (
    MARGIN_MS,
    ORDER,
    RECV_WINDOW_MS,
    fast_client,
    params,
    ready,
    wire,
)

BATCH = "/fapi/v1/batchOrders"
#: Queries of an absent order before it counts as not placed, with RETRY and RECV_WINDOW_MS:
#: at 0, 100, 300 and 700 ms (600 ms clear of ts + 1300), then one just past ts + 1300.
QUERIES_UNTIL_SETTLED = 5
CID_RE = re.compile(r"^[\.A-Z\:/a-z0-9_-]{1,36}$")


def settle_point(record: RequestRecord) -> int:
    """Server ms after which the request can no longer be accepted, plus the margin."""
    return int(params(record)["timestamp"]) + RECV_WINDOW_MS + MARGIN_MS


async def market(
    client: UMFutures,
    cid: str | None,
    side: str = "BUY",
    quantity: str = "0.003",
    reduce_only: bool | None = None,
) -> Order:
    """A small MARKET order."""
    return await client.new_order(
        symbol="BTCUSDT",
        side=side,
        type="MARKET",
        quantity=Decimal(quantity),
        new_client_order_id=cid,
        reduce_only=reduce_only,
    )


async def resting(client: UMFutures, cid: str, price: str = "45000.0") -> Order:
    """A LIMIT BUY below the mark: it rests on the book."""
    return await client.new_order(
        symbol="BTCUSDT",
        side="BUY",
        type="LIMIT",
        quantity=Decimal("0.003"),
        price=Decimal(price),
        new_client_order_id=cid,
    )


# -- client order ids ------------------------------------------------------------------------


async def test_every_order_of_a_batch_carries_a_valid_generated_id(sim: Simulator) -> None:
    """Without ids the client generates one per order: allowed characters, at most 36."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        single = await market(client, None)
        batch = await client.new_batch_orders(
            [{"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.003"}] * 3
        )
    sent = [params(r) for r in wire(sim, "POST")]
    items = [item["newClientOrderId"] for item in _batch_items(wire(sim, "POST", BATCH)[0])]
    ids = [sent[0]["newClientOrderId"], *items]
    assert all(CID_RE.match(cid) for cid in ids) and len(set(ids)) == 4
    assert single.client_order_id == ids[0]
    assert [o.client_order_id for o in batch if isinstance(o, Order)] == items


async def test_a_malformed_client_order_id_is_refused_before_sending(sim: Simulator) -> None:
    """An id the exchange would refuse (-4015) never leaves the client."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        with pytest.raises(InvalidRequest, match="36"):
            await market(client, "x" * 37)
        with pytest.raises(InvalidRequest):
            await market(client, "no spaces")
    assert wire(sim, "POST") == []


async def test_reusing_an_open_orders_id_is_a_definite_refusal(sim: Simulator) -> None:
    """-4116 on a first attempt is the caller's duplicate: an error, not the other order."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        await resting(client, "mine-1")
        with pytest.raises(DuplicateClientOrderId):
            await resting(client, "mine-1", price="44000.0")
    assert sim.audit.accepted["mine-1"] == 1
    assert [r.code for r in wire(sim, "POST")] == [None, -4116]
    assert wire(sim, "GET") == []


# -- each fault alone, single orders ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["unknown_executed", "drop_after_execute", "slow"])
async def test_an_executed_order_with_an_unknown_answer_is_found_by_one_query(
    sim: Simulator, kind: str
) -> None:
    """503 unknown, a dropped answer or a timeout after execution: one query, no resend."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        sim.inject_next(kind, delay_s=1.0)  # type: ignore[arg-type]
        order = await market(client, f"exe-{kind[:4]}")
    posts, gets = wire(sim, "POST"), wire(sim, "GET")
    assert [r.fault for r in posts] == [kind]
    assert len(gets) == 1 and gets[0].status == 200
    assert params(gets[0])["origClientOrderId"] == order.client_order_id
    if kind == "slow":  # the query waited for the request timeout (0.5 s), no more
        assert 450 <= gets[0].server_time_ms - posts[0].server_time_ms < 900
    assert order.reconciled and order.status == "FILLED"
    held = sim.order(client_order_id=order.client_order_id)
    assert held is not None and held.order_id == order.order_id
    assert sim.audit.accepted[order.client_order_id] == 1 and not sim.audit.duplicates()


@pytest.mark.parametrize("kind", ["unknown_not_executed", "drop_before_execute"])
async def test_an_order_that_never_executed_is_resent_once_after_its_recv_window(
    sim: Simulator, kind: str
) -> None:
    """Queries answer -2013 until past ts + recvWindow + margin; then exactly one resend."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        sim.inject_next(kind)  # type: ignore[arg-type]
        order = await market(client, f"lost-{kind[:4]}")
    first, *rest = wire(sim, "POST")
    gets = wire(sim, "GET")
    assert first.fault == kind
    assert len(gets) == QUERIES_UNTIL_SETTLED
    assert all(g.code == -2013 for g in gets)
    assert all(params(g)["origClientOrderId"] == order.client_order_id for g in gets)
    settle = settle_point(first)
    assert [g.server_time_ms > settle for g in gets] == [False] * (len(gets) - 1) + [True]
    assert len(rest) == 1
    resend = rest[0]
    assert params(resend)["newClientOrderId"] == params(first)["newClientOrderId"]
    assert int(params(resend)["timestamp"]) > settle
    assert resend.server_time_ms >= gets[-1].server_time_ms and resend.status == 200
    assert not order.reconciled
    assert sim.audit.accepted[order.client_order_id] == 1 and not sim.audit.duplicates()
    assert client.stats.resubmissions == 1


async def test_service_unavailable_is_resent_after_a_backoff_without_any_query(
    sim: Simulator,
) -> None:
    """503 "Service Unavailable." is a certain failure: no query, one resend after 100 ms."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        sim.inject_next("unavailable")
        order = await market(client, "busy-1")
        assert client.stats.backoffs == 1 and client.stats.reconciliations == 0
    first, resend = wire(sim, "POST")
    assert (first.status, first.fault, resend.status) == (503, "unavailable", 200)
    assert params(resend)["newClientOrderId"] == "busy-1"
    assert resend.server_time_ms - first.server_time_ms >= 100
    assert wire(sim, "GET") == []
    assert not order.reconciled and sim.audit.accepted["busy-1"] == 1


async def test_throttled_is_resent_after_a_backoff_and_shrinks_the_in_flight_cap(
    sim: Simulator,
) -> None:
    """-1008: no query, one resend after 100 ms, and the cap halved (then +1 on success)."""
    async with fast_client(sim, max_orders_in_flight=8) as client:
        await ready(client, sim)
        sim.inject_next("throttled")
        await market(client, "thr-1")
        stats = client.stats
        assert (
            stats.orders_in_flight_lowest,
            stats.orders_in_flight_limit,
            stats.orders_in_flight,
        ) == (4, 5, 0)
    first, resend = wire(sim, "POST")
    assert (first.code, resend.status) == (-1008, 200)
    assert resend.server_time_ms - first.server_time_ms >= 100
    assert params(resend)["newClientOrderId"] == "thr-1"
    assert wire(sim, "GET") == [] and sim.audit.accepted["thr-1"] == 1


async def test_unknown_then_unavailable_on_resend_still_ends_placed_once(sim: Simulator) -> None:
    """Faults stack: an unknown outcome, then a certain failure of the resend, then success."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        sim.inject_next("unknown_not_executed")
        sim.inject_next("unavailable")
        order = await market(client, "stack-1")
    assert [r.fault for r in wire(sim, "POST")] == ["unknown_not_executed", "unavailable", None]
    assert order.status in ("NEW", "FILLED") and sim.audit.accepted["stack-1"] == 1


async def test_an_unreachable_exchange_ends_in_execution_unknown_at_the_deadline(
    sim: Simulator,
) -> None:
    """When every query times out, ExecutionUnknown carries the id once the deadline passes."""
    retry = RetryConfig(base_delay_s=0.1, max_delay_s=0.2, jitter=0.0)
    async with fast_client(sim, request_timeout_s=0.2, call_deadline_s=1.5, retry=retry) as client:
        await ready(client, sim)
        sim.inject_next("slow", delay_s=0.5)
        sim.inject_next("slow", count=50, endpoint=("GET", ORDER), delay_s=0.5)
        started = time.monotonic()
        with pytest.raises(ExecutionUnknown) as caught:
            await market(client, "dark-1")
        elapsed = time.monotonic() - started
        assert caught.value.client_order_id == "dark-1"
        assert 1.2 <= elapsed <= 1.9  # it kept trying, and stopped at the deadline
        assert len(wire(sim, "POST")) == 1  # never resent blind
    # It had executed: "unknown" was the truth, and the id finds it.
    held = sim.order(client_order_id="dark-1")
    assert held is not None and held.status == "FILLED" and sim.audit.accepted["dark-1"] == 1


async def test_reconciliation_steps_are_logged_with_the_id_and_no_secret(
    sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Each step of settling is an INFO record naming the client order id; no secret leaks."""
    creds = sim.new_credentials("hmac")
    async with fast_client(sim, creds) as client:
        await ready(client, sim)
        sim.inject_next("unknown_not_executed")
        with caplog.at_level(logging.INFO, logger="binance_async"):
            await market(client, "logged-1")
    steps = [r for r in caplog.records if r.name == "binance_async.reconcile"]
    assert len(steps) >= 2 and all(r.levelno == logging.INFO for r in steps)
    assert all("logged-1" in r.getMessage() for r in steps)
    signatures = [params(r)["signature"] for r in sim.audit.requests if r.api_key]
    assert creds.api_secret
    for record in caplog.records:
        text = record.getMessage()
        assert creds.api_secret not in text
        assert not any(sig in text for sig in signatures)


# -- -1008 under load ------------------------------------------------------------------------


async def test_reduce_only_orders_pass_while_new_risk_backs_off_under_throttling(
    sim: Simulator,
) -> None:
    """Under -1008, reduce-only orders skip the cap and the throttle; new risk waits and retries."""
    retry = RetryConfig(base_delay_s=0.05, max_delay_s=0.2, jitter=0.0, max_retries=12)
    async with fast_client(sim, max_orders_in_flight=8, retry=retry) as client:
        await ready(client, sim)
        await market(client, "open-long", quantity="0.030")
        sim.audit.clear()
        sim.inject_next("throttled", count=40)
        new_risk = [asyncio.create_task(market(client, f"risk-{n}")) for n in range(20)]
        await asyncio.sleep(0.05)  # the throttling is under way
        started = time.monotonic()
        closes = [
            await market(client, f"close-{n}", side="SELL", reduce_only=True) for n in range(3)
        ]
        close_s = time.monotonic() - started
        placed = await asyncio.gather(*new_risk)
        stats = client.stats
        assert stats.orders_in_flight_lowest <= 2 and stats.orders_in_flight == 0
    assert close_s < 0.5
    for order in closes:
        held = sim.order(order_id=order.order_id)
        assert held is not None and held.reduce_only and held.status == "FILLED"
    posts = wire(sim, "POST")
    by_id: dict[str, list[RequestRecord]] = {}
    for record in posts:
        by_id.setdefault(params(record)["newClientOrderId"], []).append(record)
    assert all([r.code for r in by_id[f"close-{n}"]] == [None] for n in range(3))
    throttled = [r for r in posts if r.code == -1008]
    assert len(throttled) == 40
    last_close = max(r.server_time_ms for n in range(3) for r in by_id[f"close-{n}"])
    assert any(r.server_time_ms > last_close for r in throttled)  # new risk still backing off
    assert all(isinstance(o, Order) for o in placed)
    assert all(sim.audit.accepted[f"risk-{n}"] == 1 for n in range(20))
    assert not sim.audit.duplicates()


# -- batches ---------------------------------------------------------------------------------


def _batch_items(record: RequestRecord) -> list[dict[str, str]]:
    items: list[dict[str, str]] = orjson.loads(params(record)["batchOrders"])
    return items


def _batch_spec(cid: str, **extra: object) -> dict[str, object]:
    spec: dict[str, object] = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "MARKET",
        "quantity": "0.003",
        "new_client_order_id": cid,
    }
    spec.update(extra)
    return spec


async def test_batch_place_executed_with_unknown_outcome_is_settled_by_one_query_per_item(
    sim: Simulator,
) -> None:
    """A batch whose 503 hid its execution: one query per item, nothing resent."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        sim.inject_next("unknown_executed", endpoint=("POST", BATCH))
        results = await client.new_batch_orders([_batch_spec(f"bx-{n}") for n in range(3)])
    assert len(wire(sim, "POST", BATCH)) == 1 and wire(sim, "POST") == []
    gets = wire(sim, "GET")
    assert sorted(params(g)["origClientOrderId"] for g in gets) == ["bx-0", "bx-1", "bx-2"]
    assert all(isinstance(o, Order) and o.reconciled for o in results)
    assert [o.client_order_id for o in results if isinstance(o, Order)] == ["bx-0", "bx-1", "bx-2"]
    assert all(sim.audit.accepted[f"bx-{n}"] == 1 for n in range(3))


async def test_batch_place_not_executed_resends_each_item_alone_after_its_recv_window(
    sim: Simulator,
) -> None:
    """Items proven absent are resent one by one with their ids; a refused one stays an error."""
    gtx = _batch_spec("by-gtx", type="LIMIT", price="50100.0", time_in_force="GTX")
    async with fast_client(sim) as client:
        await ready(client, sim)
        sim.inject_next("unknown_not_executed", endpoint=("POST", BATCH))
        results = await client.new_batch_orders([_batch_spec("by-0"), gtx, _batch_spec("by-1")])
    (batch,) = wire(sim, "POST", BATCH)
    settle = settle_point(batch)
    singles = wire(sim, "POST")
    assert sorted(params(r)["newClientOrderId"] for r in singles) == ["by-0", "by-1", "by-gtx"]
    assert all(int(params(r)["timestamp"]) > settle for r in singles)
    gets = wire(sim, "GET")
    assert len(gets) == 3 * QUERIES_UNTIL_SETTLED and all(g.code == -2013 for g in gets)
    first, refused, last = results
    assert isinstance(first, Order) and isinstance(last, Order)
    assert isinstance(refused, BinanceError) and getattr(refused, "code", None) == -5022
    assert sim.audit.accepted == {"by-0": 1, "by-1": 1}


async def test_batch_cancel_with_unknown_outcome_is_settled_item_by_item(sim: Simulator) -> None:
    """Executed: one query per item reports CANCELED. Not executed: queries, then single cancels."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        ids = [f"bc-{n}" for n in range(4)]
        for n, cid in enumerate(ids):
            await resting(client, cid, price=f"4500{n}.0")
        sim.audit.clear()
        sim.inject_next("unknown_executed", endpoint=("DELETE", BATCH))
        done = await client.cancel_batch_orders(symbol="BTCUSDT", orig_client_order_ids=ids[:2])
        assert [r.fault for r in wire(sim, "DELETE", BATCH)] == ["unknown_executed"]
        assert len(wire(sim, "GET")) == 2 and wire(sim, "DELETE") == []
        assert all(isinstance(o, Order) and o.status == "CANCELED" and o.reconciled for o in done)
        sim.audit.clear()
        sim.inject_next("unknown_not_executed", endpoint=("DELETE", BATCH))
        later = await client.cancel_batch_orders(symbol="BTCUSDT", orig_client_order_ids=ids[2:])
    assert [g.status for g in wire(sim, "GET")] == [200, 200]
    assert sorted(params(r)["origClientOrderId"] for r in wire(sim, "DELETE")) == ids[2:]
    assert all(isinstance(o, Order) and o.status == "CANCELED" for o in later)
    assert sim.open_orders() == []


async def test_batch_cancel_of_an_order_already_gone_reports_its_final_state(
    sim: Simulator,
) -> None:
    """An item refused -2011 (already filled) comes back as the filled order, not an error."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        await resting(client, "gone-open")
        filled = await market(client, "gone-filled")
        results = await client.cancel_batch_orders(
            symbol="BTCUSDT", orig_client_order_ids=["gone-open", "gone-filled"]
        )
    still, done = results
    assert isinstance(still, Order) and still.status == "CANCELED"
    assert isinstance(done, Order) and done.status == "FILLED"
    assert done.order_id == filled.order_id


# -- cancel and modify -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "deletes"), [("unknown_executed", 1), ("unknown_not_executed", 2)]
)
async def test_cancel_with_unknown_outcome_is_settled_by_querying(
    sim: Simulator, kind: str, deletes: int
) -> None:
    """Executed: the query shows CANCELED, nothing resent. Not executed: it shows NEW: resent."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        placed = await resting(client, "cx-1")
        sim.audit.clear()
        sim.inject_next(kind, endpoint=("DELETE", ORDER))  # type: ignore[arg-type]
        cancelled = await client.cancel_order(symbol="BTCUSDT", orig_client_order_id="cx-1")
    assert len(wire(sim, "DELETE")) == deletes and len(wire(sim, "GET")) == 1
    assert cancelled.status == "CANCELED" and cancelled.order_id == placed.order_id
    assert cancelled.reconciled == (kind == "unknown_executed")


async def test_cancel_of_a_filled_order_reports_it_filled(sim: Simulator) -> None:
    """A cancel of an order already gone returns its final state, not an error."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        filled = await market(client, "cf-1")
        final = await client.cancel_order(symbol="BTCUSDT", order_id=filled.order_id)
    assert final.status == "FILLED" and final.order_id == filled.order_id
    assert [r.code for r in wire(sim, "DELETE")] == [-2011]


async def test_modify_executed_with_unknown_outcome_is_found_by_one_query(
    sim: Simulator,
) -> None:
    """A modify whose 503 hid its execution: the query shows the new price; nothing resent."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        await resting(client, "mx-1")
        sim.audit.clear()
        sim.inject_next("unknown_executed", endpoint=("PUT", ORDER))
        order = await _modify(client, "mx-1", "45500.0")
    assert len(wire(sim, "PUT")) == 1 and len(wire(sim, "GET")) == 1
    assert order.reconciled and order.price == Decimal("45500.0")


async def test_modify_not_executed_is_resent_once_after_its_recv_window(sim: Simulator) -> None:
    """The query shows the old price until past ts + recvWindow + margin; then one resend."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        await resting(client, "my-1")
        sim.audit.clear()
        sim.inject_next("unknown_not_executed", endpoint=("PUT", ORDER))
        order = await _modify(client, "my-1", "45600.0")
    first, resend = wire(sim, "PUT")
    gets = wire(sim, "GET")
    settle = settle_point(first)
    assert len(gets) == QUERIES_UNTIL_SETTLED
    assert [g.server_time_ms > settle for g in gets] == [False] * (len(gets) - 1) + [True]
    assert int(params(resend)["timestamp"]) > settle and resend.status == 200
    assert params(resend)["price"] == "45600.0"
    assert order.price == Decimal("45600.0") and not order.reconciled
    held = sim.order(client_order_id="my-1")
    assert held is not None and held.price == Decimal("45600.0")


async def _modify(client: UMFutures, cid: str, price: str) -> Order:
    return await client.modify_order(
        symbol="BTCUSDT",
        side="BUY",
        quantity=Decimal("0.003"),
        price=Decimal(price),
        orig_client_order_id=cid,
    )


# -- harmless reads --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "backoffs"),
    # Every resend is ours (the pool switches off aiohttp's own), after one backoff.
    [("unavailable", 1), ("unknown_executed", 1), ("drop_before_execute", 1), ("slow", 1)],
)
async def test_a_read_is_retried_after_a_transient_failure(
    sim: Simulator, kind: str, backoffs: int
) -> None:
    """A query is harmless to repeat: after a 5xx, a dropped connection or a timeout: resent."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        await market(client, "read-1")
        sim.audit.clear()
        sim.inject_next(kind, endpoint=("GET", ORDER), delay_s=1.0)  # type: ignore[arg-type]
        order = await client.get_order(symbol="BTCUSDT", orig_client_order_id="read-1")
        assert client.stats.backoffs == backoffs
    first, again = wire(sim, "GET")
    assert first.fault == kind and again.status == 200
    assert order.status == "FILLED" and order.client_order_id == "read-1"
