"""Spot's limits, faults and audit over the simulator's HTTP API: the unfilled ORDERS count
(counted on placement, given back by a fill, 429 -1015 without Retry-After), its headers,
REQUEST_WEIGHT and RAW_REQUESTS with 429 then 418 on Spot's own ledger, each fault on each
Spot order endpoint, the audit of client ids and list ids, and reset."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from binance_async.testing import FaultKind, Simulator, SpotConfig, SpotRateLimitConfig

from .conftest import RawClient, Reply

D = Decimal
LIMIT = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
MARKET = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}


@pytest.fixture
async def tight(make_client: Callable[..., RawClient]) -> AsyncIterator[RawClient]:
    """A client of a simulator with small Spot limits: 2 orders per 10 s, 100 weight, 6 raw
    requests per 5 minutes; bans after one more 429, at once."""
    limits = SpotRateLimitConfig(
        weight_limit=100,
        order_limits=((2, "SECOND", 10), (1000, "DAY", 1)),
        raw_requests_limit=6,
        ban_after_429s=1,
        ban_grace_ms=0,
    )
    async with Simulator(spot=SpotConfig(rate_limits=limits)) as sim:
        sim.clock.freeze()
        async with aiohttp.ClientSession() as session:
            yield RawClient(session, sim, sim.new_credentials("hmac"))


async def test_order_count_headers_and_decrement_on_fill(client: RawClient, sim: Simulator) -> None:
    """A resting order counts 1 on the 10 s and day windows; a filled one gives its count
    back (FAQ: the first fill decrements every window); rateLimit/order (40) agrees."""
    resting = await client.signed(
        "POST", "/api/v3/order", {**LIMIT, "quantity": "0.1", "price": "49000"}
    )
    assert (resting.headers["X-MBX-ORDER-COUNT-10S"], resting.headers["X-MBX-ORDER-COUNT-1D"]) == (
        "1",
        "1",
    )
    filled = await client.signed("POST", "/api/v3/order", MARKET)
    assert filled.headers["X-MBX-ORDER-COUNT-10S"] == "1"
    sim.spot_trade("BTCUSDT", D("49000"), D("0.01"))  # the resting order's first (partial) fill
    usage = await client.signed("GET", "/api/v3/rateLimit/order")
    assert sim.audit.requests[-1].weight == 40
    assert usage.json == [
        {
            "rateLimitType": "ORDERS",
            "interval": "SECOND",
            "intervalNum": 10,
            "limit": 50,
            "count": 0,
        },
        {
            "rateLimitType": "ORDERS",
            "interval": "DAY",
            "intervalNum": 1,
            "limit": 160000,
            "count": 0,
        },
    ]
    assert "X-MBX-ORDER-COUNT-10S" not in usage.headers
    listed = await client.signed(
        "POST",
        "/api/v3/orderList/otoco",
        {
            "symbol": "BTCUSDT",
            "workingType": "LIMIT_MAKER",
            "workingSide": "BUY",
            "workingPrice": "48000",
            "workingQuantity": "0.01",
            "pendingSide": "SELL",
            "pendingQuantity": "0.01",
            "pendingAboveType": "LIMIT_MAKER",
            "pendingAbovePrice": "60000",
            "pendingBelowType": "STOP_LOSS",
            "pendingBelowStopPrice": "40000",
        },
    )
    assert listed.headers["X-MBX-ORDER-COUNT-10S"] == "3"


async def test_unfilled_order_limit_is_429_without_retry_after(tight: RawClient) -> None:
    """Over the unfilled order count: 429 -1015 without Retry-After; a refused order does
    not count; a fill gives room back."""
    for price in ("49000", "48000"):
        ok = await tight.signed(
            "POST", "/api/v3/order", {**LIMIT, "quantity": "0.01", "price": price}
        )
        assert ok.status == 200
    refused = await tight.signed("POST", "/api/v3/order", MARKET)
    assert (refused.status, refused.json) == (
        429,
        {"code": -1015, "msg": "Too many new orders; current limit is 2 orders per 10 SECOND."},
    )
    assert "Retry-After" not in refused.headers
    tight.sim.spot_set_price("BTCUSDT", D("48500"))  # the 49000 BUY fills: one order back
    assert (await tight.signed("POST", "/api/v3/order", MARKET)).status == 200


async def test_cancel_replace_over_the_count(tight: RawClient) -> None:
    """Over the unfilled order count, cancel-replace is a plain 429 -1015 (nothing cancelled);
    with orderRateLimitExceededMode=CANCEL_ONLY the cancel happens and the answer is 429
    -2021 with the new order's -1015. Even a failed cancel-replace keeps its count."""
    for client_id, price in (("a", "49000"), ("b", "48000")):
        order = {**LIMIT, "quantity": "0.01", "price": price, "newClientOrderId": client_id}
        assert (await tight.signed("POST", "/api/v3/order", order)).status == 200
    replace = {**LIMIT, "quantity": "0.01", "price": "47000"}
    replace |= {"cancelReplaceMode": "STOP_ON_FAILURE", "cancelOrigClientOrderId": "a"}
    plain = await tight.signed("POST", "/api/v3/order/cancelReplace", replace)
    assert (plain.status, plain.code) == (429, -1015) and "Retry-After" not in plain.headers
    assert len(tight.sim.spot_open_orders()) == 2
    only = await tight.signed(
        "POST",
        "/api/v3/order/cancelReplace",
        {**replace, "orderRateLimitExceededMode": "CANCEL_ONLY"},
    )
    assert (only.status, only.code) == (429, -2021)
    data = only.json["data"]
    assert (data["cancelResult"], data["newOrderResult"]) == ("SUCCESS", "FAILURE")
    assert data["newOrderResponse"]["code"] == -1015
    assert [o.placed_client_order_id for o in tight.sim.spot_open_orders()] == ["b"]


async def test_refused_placement_does_not_count(tight: RawClient) -> None:
    """An order the exchange refuses (here LIMIT_MAKER that would take) leaves the count."""
    taker = {**LIMIT, "type": "LIMIT_MAKER", "quantity": "0.01", "price": "51000"}
    del taker["timeInForce"]
    refused = await tight.signed("POST", "/api/v3/order", taker)
    assert refused.code == -2010
    assert tight.sim.spot.order_counts() == {"10S": 0, "1D": 0}


async def test_weight_429_then_418_on_spot_only(tight: RawClient) -> None:
    """Over Spot's weight: 429 with Retry-After, then 418; the futures API still answers."""
    sim = tight.sim
    sim.spot.preload_weight("127.0.0.1", 95)
    first = await tight.public("GET", "/api/v3/exchangeInfo")
    assert (first.status, first.code) == (429, -1003) and int(first.headers["Retry-After"]) >= 1
    assert (await tight.public("GET", "/api/v3/ping")).status == 200
    assert (await tight.public("GET", "/api/v3/exchangeInfo")).status == 429
    banned = await tight.public("GET", "/api/v3/exchangeInfo")
    assert (banned.status, banned.code) == (418, -1003) and "Retry-After" in banned.headers
    assert (await tight.public("GET", "/api/v3/ping")).status == 418
    assert (await tight.public("GET", "/fapi/v1/ping")).status == 200


async def test_raw_requests_limit(tight: RawClient) -> None:
    """RAW_REQUESTS counts requests whatever their weight: the seventh in 5 minutes is 429."""
    for _ in range(6):
        assert (await tight.public("GET", "/api/v3/ping")).status == 200
    over = await tight.public("GET", "/api/v3/ping")
    assert over.status == 429
    assert over.json["msg"] == (
        "Too many requests; current limit of IP(127.0.0.1) is 6 requests per 5 minutes."
    )


#: Spot's order endpoints, where faults apply.
ENDPOINTS: list[tuple[str, str]] = [
    ("POST", "/api/v3/order"),
    ("POST", "/api/v3/order/cancelReplace"),
    ("POST", "/api/v3/orderList/oco"),
    ("POST", "/api/v3/orderList/oto"),
    ("POST", "/api/v3/orderList/otoco"),
    ("POST", "/api/v3/order/oco"),
    ("DELETE", "/api/v3/order"),
    ("DELETE", "/api/v3/orderList"),
]
_OCO = {
    "symbol": "BTCUSDT",
    "side": "SELL",
    "quantity": "0.1",
    "aboveType": "LIMIT_MAKER",
    "abovePrice": "52000",
    "belowType": "STOP_LOSS",
    "belowStopPrice": "48000",
}
_WORKING = {
    "symbol": "BTCUSDT",
    "workingType": "LIMIT",
    "workingSide": "BUY",
    "workingPrice": "49000",
    "workingQuantity": "0.1",
    "workingTimeInForce": "GTC",
}


async def _request(client: RawClient, method: str, path: str) -> tuple[Reply | None, str]:
    """Send one request to a Spot order endpoint; the id whose effect shows it executed."""
    sim = client.sim
    if path in ("/api/v3/order/cancelReplace",) or method == "DELETE":
        if path.endswith("orderList"):
            await client.signed("POST", "/api/v3/orderList/oco", {**_OCO, "listClientOrderId": "T"})
        else:
            await client.signed(
                "POST",
                "/api/v3/order",
                {**LIMIT, "quantity": "0.1", "price": "49000", "newClientOrderId": "T"},
            )
    params: dict[str, Any]
    if path == "/api/v3/order" and method == "POST":
        params, marker = {**MARKET, "newClientOrderId": "X"}, "X"
    elif path.endswith("cancelReplace"):
        params = {**LIMIT, "quantity": "0.1", "price": "48000", "newClientOrderId": "X"}
        params |= {"cancelReplaceMode": "STOP_ON_FAILURE", "cancelOrigClientOrderId": "T"}
        marker = "X"
    elif path.endswith("orderList/oco"):
        params, marker = {**_OCO, "listClientOrderId": "X"}, "X"
    elif path.endswith("oto"):
        params = {**_WORKING, "listClientOrderId": "X", "pendingType": "MARKET"}
        params |= {"pendingSide": "SELL", "pendingQuantity": "0.1"}
        marker = "X"
    elif path.endswith("otoco"):
        params = {**_WORKING, "listClientOrderId": "X", "pendingSide": "SELL"}
        params |= {"pendingQuantity": "0.1", "pendingAboveType": "LIMIT_MAKER"}
        params |= {"pendingAbovePrice": "60000", "pendingBelowType": "STOP_LOSS"}
        params |= {"pendingBelowStopPrice": "40000"}
        marker = "X"
    elif path.endswith("order/oco"):
        params = {**_OCO, "listClientOrderId": "X", "price": "52000", "stopPrice": "48000"}
        for name in ("aboveType", "abovePrice", "belowType", "belowStopPrice"):
            del params[name]
        marker = "X"
    elif path.endswith("orderList"):
        params, marker = {"symbol": "BTCUSDT", "listClientOrderId": "T"}, "T"
    else:
        params, marker = {"symbol": "BTCUSDT", "origClientOrderId": "T"}, "T"
    try:
        reply = await client.signed(method, path, params)
    except aiohttp.ClientError:
        reply = None
    del sim
    return reply, marker


def _executed(sim: Simulator, method: str, marker: str) -> bool:
    """Whether the request took effect: the order or list placed, or the order cancelled."""
    lst = sim.spot_order_list(list_client_order_id=marker)
    if method == "DELETE":
        if lst is not None:
            return lst.list_order_status != "EXECUTING"
        order = sim.spot_order(client_order_id=marker)
        return order is not None and order.status == "CANCELED"
    return lst is not None or sim.spot_order(client_order_id=marker) is not None


FAULTS: list[tuple[FaultKind, int | None, bool]] = [
    ("unknown_executed", 503, True),
    ("unknown_not_executed", 503, False),
    ("unavailable", 503, False),
    ("throttled", 503, False),
    ("http_429", 429, False),
    ("invalid_timestamp", 400, False),
    ("drop_after_execute", None, True),
    ("drop_before_execute", None, False),
]
#: aiohttp resends a DELETE whose connection dropped (an idempotent method): those are
#: checked apart, in test_dropped_spot_cancels_are_resent.
MATRIX = [
    (method, path, kind, status, executed)
    for method, path in ENDPOINTS
    for kind, status, executed in FAULTS
    if not (method == "DELETE" and kind.startswith("drop"))
]


@pytest.mark.parametrize(("method", "path", "kind", "status", "executed"), MATRIX)
async def test_each_fault_on_each_spot_order_endpoint(
    sim: Simulator,
    client: RawClient,
    method: str,
    path: str,
    kind: FaultKind,
    status: int | None,
    executed: bool,
) -> None:
    """``inject_next`` on a Spot order endpoint: the answer the fault gives, and whether the
    exchange executed the request; the audit records the fault."""
    sim.inject_next(kind, endpoint=(method, path))
    reply, marker = await _request(client, method, path)
    assert (None if reply is None else reply.status) == status
    assert _executed(sim, method, marker) is executed
    faulted = [r for r in sim.audit.requests if r.fault == kind]
    assert [(r.path, r.status) for r in faulted] == [(path, status)]


@pytest.mark.parametrize("path", ["/api/v3/order", "/api/v3/orderList"])
@pytest.mark.parametrize(
    ("kind", "resent_status"), [("drop_after_execute", 400), ("drop_before_execute", 200)]
)
async def test_dropped_spot_cancels_are_resent(
    sim: Simulator, client: RawClient, path: str, kind: FaultKind, resent_status: int
) -> None:
    """A dropped cancel: the audit shows it unanswered; aiohttp's resend finds the order
    already cancelled (-2011) when the drop came after execution, and cancels it when it
    came before."""
    sim.inject_next(kind, endpoint=("DELETE", path))
    reply, marker = await _request(client, "DELETE", path)
    assert reply is not None and reply.status == resent_status
    assert _executed(sim, "DELETE", marker)
    records = [
        (r.fault, r.status) for r in sim.audit.requests if (r.method, r.path) == ("DELETE", path)
    ]
    assert records == [(kind, None), (None, resent_status)]


async def test_random_plan_reaches_spot_order_endpoints(sim: Simulator, client: RawClient) -> None:
    """A FaultPlan without endpoints applies to Spot's order endpoints too."""
    from binance_async.testing import FaultPlan

    sim.set_faults(FaultPlan(unavailable=1.0))
    reply = await client.signed("POST", "/api/v3/order", MARKET)
    assert (reply.status, reply.json["msg"]) == (503, "Service Unavailable.")
    assert (await client.public("GET", "/api/v3/depth", {"symbol": "BTCUSDT"})).status == 200


async def test_audit_counts_order_and_list_ids_across_venues(
    sim: Simulator, client: RawClient
) -> None:
    """audit.accepted counts Spot client ids, listClientOrderIds and their legs' ids with the
    futures ones; duplicates() spans them all."""
    await client.signed("POST", "/api/v3/order", {**MARKET, "newClientOrderId": "same"})
    await client.signed(
        "POST",
        "/api/v3/orderList/oco",
        {
            **_OCO,
            "listClientOrderId": "list-1",
            "aboveClientOrderId": "a",
            "belowClientOrderId": "b",
        },
    )
    assert {k: sim.audit.accepted[k] for k in ("same", "list-1", "a", "b")} == {
        "same": 1,
        "list-1": 1,
        "a": 1,
        "b": 1,
    }
    futures = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"}
    await client.signed("POST", "/fapi/v1/order", {**futures, "newClientOrderId": "same"})
    assert sim.audit.duplicates() == {"same": 2}
    assert {r.path for r in sim.audit.requests} >= {"/api/v3/order", "/api/v3/orderList/oco"}


async def test_reset_forgets_spot(sim: Simulator, client: RawClient) -> None:
    """reset(): Spot's orders, balances, prices and counters are forgotten; fee rates kept."""
    sim.spot.set_commission(maker=D("0.001"), taker=D("0.001"))
    await client.signed("POST", "/api/v3/order", {**LIMIT, "quantity": "0.1", "price": "49000"})
    sim.spot_set_price("BTCUSDT", D("60000"))
    sim.reset()
    assert sim.spot_open_orders() == []
    assert sim.spot_balance("USDT").free == D("100000")
    assert sim.spot.price("BTCUSDT") == D("50000")
    assert sim.spot.order_counts() == {"10S": 0, "1D": 0}
    rates = (await client.signed("GET", "/api/v3/account")).json["commissionRates"]
    assert rates["maker"] == "0.00100000"


async def test_configured_balances(make_client: Callable[..., RawClient]) -> None:
    """SpotConfig(balances=...) is every account's start; unknown assets show as zero."""
    config = SpotConfig(balances={"USDT": D("10"), "BTC": D("0.5")})
    async with Simulator(spot=config) as sim:
        raw = make_client(sim.new_credentials("hmac", account="other"))
        raw.sim = sim
        assert sim.spot_balance("USDT", "other").free == D("10")
        refused = await raw.signed("POST", "/api/v3/order", {**MARKET, "quantity": "0.001"})
        assert refused.json == {
            "code": -2010,
            "msg": "Account has insufficient balance for requested action.",
        }
        account = (await raw.signed("GET", "/api/v3/account")).json
        assert {b["asset"]: b["free"] for b in account["balances"]}["ETH"] == "0.00000000"
