"""Soak: 2,000 orders from 100 tasks through every fault kind at once; none lost, none doubled.

Every intent must end as exactly what the exchange's audit says: an order returned to the
caller that the exchange accepted once, or a definite error for one it never accepted; no
``ExecutionUnknown``. The wire must also show the discipline: an order is only ever sent again
after a certain failure, or after a query answered -2013 past its ``timestamp + recvWindow +
margin``.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import orjson
import pytest

from binance_async import AlgoOrder, APIError, BinanceError, Order, OrderRejected, UMFutures, WsApi
from binance_async.config import RetryConfig
from binance_async.testing import FaultPlan, RateLimitConfig, RequestRecord, Simulator

from .conftest import make_client

ORDERS = 2000
TASKS = 100
RECV_WINDOW_MS = 1000
MARGIN_MS = 200
PLAN = FaultPlan(
    unknown_executed=0.10,
    unknown_not_executed=0.10,
    unavailable=0.05,
    throttled=0.05,
    drop_after_execute=0.03,
    drop_before_execute=0.03,
    slow=0.02,
    slow_delay_s=1.0,
)
#: Faults after which the exchange certainly did not execute the request.
CERTAIN = frozenset({"unavailable", "throttled"})
#: Room for 2,000 orders and their resends in a few seconds; the limits are another issue's.
ROOMY = RateLimitConfig(
    weight_limit=1_000_000, order_limits=((1_000_000, "SECOND", 10), (1_000_000, "MINUTE", 1))
)


def soak_client(sim: Simulator, **options: Any) -> UMFutures:
    """A client on ``sim`` as every soak runs one: short timeouts, quick retries."""
    retry = RetryConfig(base_delay_s=0.05, max_delay_s=0.4, settle_margin_ms=MARGIN_MS)
    return make_client(
        sim,
        sim.new_credentials("hmac"),
        recv_window_ms=RECV_WINDOW_MS,
        request_timeout_s=0.5,
        call_deadline_s=30.0,
        retry=retry,
        **options,
    )


#: WebSocket API methods as the REST requests they stand for.
_WS_AS_REST = {
    "order.place": ("POST", "/fapi/v1/order"),
    "order.status": ("GET", "/fapi/v1/order"),
    "algoOrder.place": ("POST", "/fapi/v1/algoOrder"),
}


def _params(record: RequestRecord) -> dict[str, str]:
    if record.method == "WS":
        fields = orjson.loads(record.body).get("params", {})
        return {k: str(v) for k, v in fields.items()}
    return dict(parse_qsl(record.query + "&" + record.body.decode(), keep_blank_values=True))


def _as_rest(record: RequestRecord) -> tuple[str, str]:
    """(method, path) of a REST request, or of the REST twin of a WebSocket API request."""
    if record.method == "WS":
        return _WS_AS_REST.get(record.path, ("WS", record.path))
    return record.method, record.path


def _intent(n: int) -> dict[str, object]:
    """Order n: mostly MARKET orders; every 10th a post-only that crosses (always refused,
    -5022); every 10th from the 5th a reduce-only (accepted or refused by position)."""
    spec: dict[str, object] = {
        "symbol": "BTCUSDT",
        "side": "BUY" if n % 2 else "SELL",
        "type": "MARKET",
        "quantity": Decimal("0.003"),
        "new_client_order_id": f"soak-{n}",
    }
    if n % 10 == 0:
        spec.update(side="BUY", type="LIMIT", price=Decimal("50100.0"), time_in_force="GTX")
    elif n % 10 == 5:
        spec.update(reduce_only=True)
    return spec


def _algo_intent(n: int) -> dict[str, object]:
    """Algo order n: a reduce-only stop far below the mark (it never triggers)."""
    return {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "STOP_MARKET",
        "quantity": Decimal("0.003"),
        "trigger_price": Decimal("30000.0"),
        "reduce_only": True,
        "client_algo_id": f"soak-a{n}",
    }


#: The exchange holds at most 10 open algo orders per symbol (MAX_NUM_ALGO_ORDERS).
ALGO_OPEN_AT_ONCE = 8


async def _placed_then_cancelled(
    client: UMFutures | WsApi, spec: dict[str, object], slots: asyncio.Semaphore
) -> AlgoOrder:
    """Place an algo order and cancel it (the exchange holds few open ones per symbol)."""
    async with slots:
        placed = await client.new_algo_order(**spec)  # type: ignore[arg-type]
        cancelled = await client.cancel_algo_order(client_algo_id=placed.client_algo_id)
    assert cancelled.algo_id == placed.algo_id and cancelled.status == "CANCELED"
    return placed


async def _run(
    client: UMFutures | WsApi, orders: int = ORDERS, algo_every: int = 0
) -> dict[str, Order | AlgoOrder | BaseException]:
    """Place ``orders`` intents from TASKS tasks; every ``algo_every``-th one an algo order."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(orders):
        queue.put_nowait(n)
    results: dict[str, Order | AlgoOrder | BaseException] = {}
    slots = asyncio.Semaphore(ALGO_OPEN_AT_ONCE)

    async def worker() -> None:
        while not queue.empty():
            n = queue.get_nowait()
            if algo_every and n % algo_every == 0:
                spec, cid = _algo_intent(n), f"soak-a{n}"
                call = _placed_then_cancelled(client, spec, slots)
            else:
                spec = _intent(n)
                cid = str(spec["new_client_order_id"])
                call = client.new_order(**spec)  # type: ignore[arg-type]
            try:
                results[cid] = await call
            except BinanceError as exc:
                results[cid] = exc

    await asyncio.gather(*(worker() for _ in range(TASKS)))
    return results


def _check_resend_discipline(requests: list[RequestRecord], path: str = "/fapi/v1/order") -> int:
    """Each POST of an id after its first follows a certain failure, or a -2013 answer to a
    query sent past the earlier POST's timestamp + recvWindow + margin. Returns the resends."""
    history: dict[str, list[tuple[str, RequestRecord]]] = {}
    resends = 0
    for record in requests:
        method, where = _as_rest(record)
        if where != path or method not in ("POST", "GET"):
            continue
        fields = _params(record)
        cid = (
            fields.get("newClientOrderId")
            or fields.get("origClientOrderId")
            or fields.get("clientAlgoId")
        )
        if cid is None:
            continue
        seen = history.setdefault(cid, [])
        if method == "POST" and any(m == "POST" for m, _ in seen):
            resends += 1
            at = max(i for i, (m, _) in enumerate(seen) if m == "POST")
            last = seen[at][1]
            after = [r for m, r in seen[at + 1 :] if m == "GET"]
            settle = int(_params(last)["timestamp"]) + RECV_WINDOW_MS + MARGIN_MS
            proven_absent = any(g.code == -2013 and g.server_time_ms > settle for g in after)
            assert last.fault in CERTAIN or proven_absent, (cid, last.fault, after)
        seen.append((method, record))
    return resends


def _check_outcomes(
    sim: Simulator, results: dict[str, Order | AlgoOrder | BaseException], orders: int
) -> None:
    """Every intent as the exchange's audit says: an order the caller got was accepted once;
    a refusal was never accepted; the post-only crossers refused (-5022), the plain orders
    placed."""
    audit = sim.audit
    assert audit.duplicates() == {}
    assert len(results) == orders
    for n in range(orders):
        cid = f"soak-{n}"
        outcome = results[cid]
        if isinstance(outcome, Order):
            held = sim.order(client_order_id=cid)
            assert audit.accepted[cid] == 1, cid
            assert held is not None and held.order_id == outcome.order_id, cid
        else:
            assert isinstance(outcome, OrderRejected), (cid, repr(outcome))
            assert audit.accepted[cid] == 0, cid
        if n % 10 == 0:
            assert isinstance(outcome, APIError) and outcome.code == -5022, cid
        elif n % 10 != 5:
            assert isinstance(outcome, Order), (cid, repr(outcome))


@pytest.mark.soak
async def test_soak_every_fault_at_once_loses_and_duplicates_nothing() -> None:
    """2,000 orders, 100 tasks, all fault kinds: zero duplicates, every intent as audited."""
    async with Simulator(seed=4, rate_limits=ROOMY) as sim:
        async with soak_client(sim) as client:
            await client.exchange_info()
            sim.audit.clear()
            sim.set_faults(PLAN)
            started = time.monotonic()
            results = await _run(client)
            elapsed = time.monotonic() - started
            sim.set_faults(None)
        audit = sim.audit
        _check_outcomes(sim, results, ORDERS)
        faults = Counter(r.fault for r in audit.requests if r.fault)
        assert set(faults) == set(CERTAIN) | {
            "unknown_executed",
            "unknown_not_executed",
            "drop_after_execute",
            "drop_before_execute",
            "slow",
        }
        assert min(faults.values()) >= 20, faults
        resends = _check_resend_discipline(audit.requests)
        assert resends >= faults["unknown_not_executed"] + faults["drop_before_execute"]
        assert client.stats.orders_in_flight_lowest < client.config.max_orders_in_flight
        assert elapsed < 60


@pytest.mark.soak
async def test_soak_through_four_connections_loses_and_duplicates_nothing() -> None:
    """600 orders from 100 tasks through 4 connections, all fault kinds: the HTTP pool's
    waiters, dropped and abandoned connections and slots freed under faults, and still
    zero duplicates and every intent as audited."""
    orders = 600
    async with Simulator(seed=11, rate_limits=ROOMY) as sim:
        async with soak_client(sim, connections_per_address=4) as client:
            await client.exchange_info()
            sim.audit.clear()
            sim.set_faults(PLAN)
            results = await _run(client, orders)
            sim.set_faults(None)
        _check_outcomes(sim, results, orders)
        faults = Counter(r.fault for r in sim.audit.requests if r.fault)
        assert faults["drop_after_execute"] and faults["drop_before_execute"] and faults["slow"]
        resends = _check_resend_discipline(sim.audit.requests)
        assert resends >= faults["unknown_not_executed"] + faults["drop_before_execute"]


@pytest.mark.soak
async def test_soak_with_half_algo_orders_loses_and_duplicates_no_client_algo_id() -> None:
    """1,000 intents, half algo orders (each placed, then cancelled), all fault kinds on the
    order and algo endpoints: zero duplicate clientAlgoId or clientOrderId, zero
    ExecutionUnknown, every placement and cancel as audited, and each resend after a certain
    failure or a proven absence."""
    async with Simulator(seed=9, rate_limits=ROOMY) as sim:
        async with soak_client(sim) as client:
            await client.exchange_info()
            # A long position the reduce-only stops can reduce.
            await client.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="1.000")
            sim.audit.clear()
            sim.set_faults(PLAN)
            results = await _run(client, orders=1000, algo_every=2)
            sim.set_faults(None)
        audit = sim.audit
        assert audit.duplicates() == {}
        algo = {cid: r for cid, r in results.items() if cid.startswith("soak-a")}
        assert len(algo) == 500 and len(results) == 1000
        for cid, outcome in algo.items():
            assert isinstance(outcome, AlgoOrder), (cid, repr(outcome))
            held = sim.algo_order(client_algo_id=cid)
            assert held is not None and audit.accepted[cid] == 1, cid
            assert held.algo_id == outcome.algo_id and held.status == "CANCELED", cid
        assert not any(isinstance(r, BinanceError) and not isinstance(r, OrderRejected)
                       for r in results.values())  # fmt: skip
        faults = Counter(
            r.fault
            for r in audit.requests
            if r.fault and (r.method, r.path) == ("POST", "/fapi/v1/algoOrder")
        )
        cancel_faults = [r for r in audit.requests if r.fault and r.method == "DELETE"]
        assert len(cancel_faults) >= 20  # the cancels met the faults too
        assert faults["unknown_not_executed"] >= 10 and faults["drop_before_execute"] >= 5
        resends = _check_resend_discipline(audit.requests, "/fapi/v1/algoOrder")
        assert resends >= faults["unknown_not_executed"] + faults["drop_before_execute"]


@pytest.mark.soak
async def test_soak_over_the_websocket_api_loses_and_duplicates_nothing() -> None:
    """The soak over the WebSocket API: 1,000 orders from 100 tasks, every fault kind (503s,
    connections dropped with requests in flight, late answers): zero duplicates, zero
    ExecutionUnknown, each resend after a certain failure or a proven absence."""
    async with Simulator(seed=11, rate_limits=ROOMY) as sim:
        async with (
            soak_client(sim, ws_api_url=sim.ws_api_url) as client,
            client.ws_api() as ws,
        ):
            await client.exchange_info()
            sim.audit.clear()
            sim.set_faults(PLAN)
            results = await _run(ws, orders=1000)
            sim.set_faults(None)
            lost = ws.connections.lost
        audit = sim.audit
        _check_outcomes(sim, results, 1000)
        placed = [r for r in audit.requests if r.method == "WS" and r.path == "order.place"]
        assert len(placed) >= 1000  # the orders went over the socket
        faults = Counter(r.fault for r in placed if r.fault)
        assert faults["drop_after_execute"] >= 5 and faults["slow"] >= 5, faults
        # Drops that hit requests in flight together cost one connection: fewer losses than
        # drops, but many, each recovered.
        assert lost >= 10
        resends = _check_resend_discipline(audit.requests)
        assert resends >= faults["unknown_not_executed"] + faults["drop_before_execute"]
