"""The transport seam: a protocol of another shape plugs in under the same gateway.

The transport here is shaped like the WebSocket API (parameters signed sorted by name with
``apiKey`` included, the signature raw, usage reported as a ``rateLimits`` array, answers as
decoded JSON), in memory. The gateway, clock, limiter and reconciler are the ones every
client uses; nothing of them changes for it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from binance_async.config import ClientConfig, RetryConfig
from binance_async.endpoint import Endpoint
from binance_async.errors import RequestInfo
from binance_async.gateway import Gateway
from binance_async.models.orders import Order
from binance_async.reconcile import Reconciler
from binance_async.signing import HmacSigner, Signer
from binance_async.transport import Reply
from binance_async.venues.usdm import ORDERS, USDM, market, trading

SECRET = "seam-secret"
KEY = "seam-key"
Handler = Callable[[Endpoint, dict[str, Any]], tuple[int, Any, int]]


class SortedParamsTransport:
    """A WebSocket-API-shaped transport in memory (reference/fapi-rules.md sections 4, 8)."""

    addresses = ("default",)

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.sent: list[dict[str, Any]] = []

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def encode(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """Decimals as strings, integers as numbers, None left out."""
        return {
            k: str(v) if isinstance(v, Decimal) else v
            for k, v in (params or {}).items()
            if v is not None
        }

    def sign(self, wire: dict[str, Any], timestamp_ms: int, signer: Signer) -> dict[str, Any]:
        """Every parameter but the signature, apiKey included, sorted by name; raw signature."""
        params = {**wire, "apiKey": KEY, "recvWindow": 1000, "timestamp": timestamp_ms}
        payload = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        return {**params, "signature": signer.sign(payload.encode())}

    async def send(
        self,
        endpoint: Endpoint,
        wire: dict[str, Any],
        address_index: int,
        timeout_s: float,
        request: RequestInfo,
    ) -> Reply:
        self.sent.append(wire)
        status, result, used = self.handler(endpoint, wire)
        rate_limits = [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
             "limit": 2400, "count": used},
        ]  # fmt: skip
        counts = {
            f"x-mbx-used-weight-{r['intervalNum']}{str(r['interval'])[0].lower()}": str(r["count"])
            for r in rate_limits
        }
        return Reply(status, counts, result)


def verified(wire: Mapping[str, Any]) -> bool:
    """The server's check: HMAC over the sorted parameters, signature excluded."""
    payload = "&".join(f"{k}={v}" for k, v in sorted(wire.items()) if k != "signature")
    expected = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, str(wire.get("signature")))


def order_payload(cid: str) -> dict[str, Any]:
    """An order answer."""
    return {
        "orderId": 7,
        "symbol": "BTCUSDT",
        "status": "FILLED",
        "clientOrderId": cid,
        "price": "0",
        "avgPrice": "50000",
        "origQty": "0.003",
        "executedQty": "0.003",
        "cumQuote": "150",
        "side": "BUY",
        "type": "MARKET",
    }


def gateway(transport: SortedParamsTransport) -> Gateway:
    """The client's gateway over ``transport``."""
    retry = RetryConfig(base_delay_s=0.01, max_delay_s=0.05, jitter=0.0, settle_margin_ms=50)
    config = ClientConfig(base_url="memory://", recv_window_ms=1000, retry=retry)
    return Gateway(
        venue=USDM,
        config=config,
        transport=transport,
        signer=HmacSigner(SECRET),
        has_key=True,
    )


def now_ms() -> int:
    return time.time_ns() // 1_000_000


async def test_sorted_param_signing_and_rate_limit_arrays_plug_into_the_same_pipeline() -> None:
    """The gateway stamps, the transport signs its way, the answer's rateLimits feed the
    ledger, and the endpoint's model decodes the result."""
    used = iter(range(1, 100))

    def handler(endpoint: Endpoint, wire: dict[str, Any]) -> tuple[int, Any, int]:
        if endpoint is market.TIME:
            return 200, {"serverTime": now_ms()}, next(used)
        assert verified(wire), wire
        return 200, order_payload(wire["origClientOrderId"]), 42

    transport = SortedParamsTransport(handler)
    gw = gateway(transport)
    await gw.open()
    try:
        order = await gw.request(
            trading.GET_ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "s-1"}
        )
        assert isinstance(order, Order) and order.client_order_id == "s-1"
        (weight,) = [w for w in gw.limiter.snapshot.windows if w.kind == "REQUEST_WEIGHT"]
        assert weight.used == 42  # the server's count, read from its rateLimits array
    finally:
        await gw.close()
    wire = transport.sent[-1]
    assert wire["apiKey"] == KEY and type(wire["timestamp"]) is int
    assert abs(wire["timestamp"] - now_ms()) < 1000
    assert len(wire["signature"]) == 64  # raw hex in the JSON, nothing URL-encoded


async def test_an_unknown_outcome_is_settled_by_query_over_the_same_transport() -> None:
    """A 503 unknown on placement: the reconciler queries the client id through the
    transport, finds the order, and never places it twice."""
    book: dict[str, dict[str, Any]] = {}

    def handler(endpoint: Endpoint, wire: dict[str, Any]) -> tuple[int, Any, int]:
        if endpoint is market.TIME:
            return 200, {"serverTime": now_ms()}, 1
        assert verified(wire), wire
        if endpoint is trading.NEW_ORDER:
            book[wire["newClientOrderId"]] = order_payload(wire["newClientOrderId"])
            return 503, {"code": -1000, "msg": "Unknown error"}, 1
        cid = wire["origClientOrderId"]
        if cid in book:
            return 200, book[cid], 2
        return 400, {"code": -2013, "msg": "Order does not exist."}, 2

    transport = SortedParamsTransport(handler)
    gw = gateway(transport)
    await gw.open()
    try:
        params = {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "MARKET",
            "quantity": Decimal("0.003"),
            "newClientOrderId": "seam-1",
        }
        order = await Reconciler(gw).place(ORDERS, params, deadline_ns=gw.deadlines.deadline_ns())
    finally:
        await gw.close()
    assert order.reconciled and order.client_order_id == "seam-1"
    places = [w for w in transport.sent if "newClientOrderId" in w]
    assert len(places) == 1 and places[0]["quantity"] == "0.003"
