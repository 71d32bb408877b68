"""Spot's order types and budgets end to end against the simulator's Spot mode: each order
type on the wire and in the exchange's book, a stop triggered by the price, the ORDERS windows
read from exchangeInfo and their counts from X-MBX-ORDER-COUNT-10S / -1D, and Spot's budgets
kept apart from USDⓈ-M's on one address even in one shared store."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from binance_async import MemoryBudgetStore, SpotOrder
from binance_async.testing import RateLimitConfig, Simulator, SpotConfig, SpotRateLimitConfig

from .conftest import make_client, make_spot, params

BTC = "BTCUSDT"
SIGNING = {"timestamp", "recvWindow", "signature"}


def last_order_wire(sim: Simulator) -> dict[str, str]:
    """The last POST /api/v3/order's parameters, signing apart."""
    record = [r for r in sim.audit.requests if (r.method, r.path) == ("POST", "/api/v3/order")][-1]
    assert record.status == 200, (record.status, record.code)
    return {k: v for k, v in params(record).items() if k not in SIGNING}


#: (client id, the call's arguments, the parameters on the wire besides symbol/side/type/id)
ORDER_TYPES: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    ("lm", {"side": "BUY", "type": "LIMIT_MAKER", "quantity": "0.001", "price": "49000"},
     {"quantity": "0.001", "price": "49000"}),
    ("sl", {"side": "SELL", "type": "STOP_LOSS", "quantity": "0.001", "stop_price": "48000"},
     {"quantity": "0.001", "stopPrice": "48000"}),
    ("sll", {"side": "SELL", "type": "STOP_LOSS_LIMIT", "quantity": "0.001", "price": "47900",
             "stop_price": "48000"},
     {"timeInForce": "GTC", "quantity": "0.001", "price": "47900", "stopPrice": "48000"}),
    ("tp", {"side": "SELL", "type": "TAKE_PROFIT", "quantity": "0.001", "stop_price": "52000"},
     {"quantity": "0.001", "stopPrice": "52000"}),
    ("tpl", {"side": "SELL", "type": "TAKE_PROFIT_LIMIT", "quantity": "0.001", "price": "52100",
             "stop_price": "52000", "time_in_force": "GTC"},
     {"timeInForce": "GTC", "quantity": "0.001", "price": "52100", "stopPrice": "52000"}),
    ("tr", {"side": "SELL", "type": "STOP_LOSS", "quantity": "0.001", "trailing_delta": 100},
     {"quantity": "0.001", "trailingDelta": "100"}),
    ("ice", {"side": "BUY", "type": "LIMIT", "quantity": "0.01", "price": "49000",
             "iceberg_qty": "0.002"},
     {"timeInForce": "GTC", "quantity": "0.01", "price": "49000", "icebergQty": "0.002"}),
]  # fmt: skip


async def test_every_order_type_rests_as_sent(sim: Simulator) -> None:
    """LIMIT_MAKER, STOP_LOSS(_LIMIT), TAKE_PROFIT(_LIMIT), a trailing stop and an iceberg:
    exactly their parameters on the wire, each resting on the exchange as asked; then a
    drop of the price triggers the stops below it, and a MARKET sell fills with its fills."""
    sim.spot_set_price(BTC, Decimal(50000))
    async with make_spot(sim, sim.new_credentials("ed25519")) as client:
        for cid, kwargs, wire in ORDER_TYPES:
            placed = await client.new_order(
                symbol=BTC, new_client_order_id=cid, new_order_resp_type="RESULT", **kwargs
            )
            assert isinstance(placed, SpotOrder) and placed.status == "NEW", cid
            assert placed.type == kwargs["type"] and placed.client_order_id == cid
            head = {"symbol": BTC, "side": kwargs["side"], "type": kwargs["type"]}
            tail = {"newClientOrderId": cid, "newOrderRespType": "RESULT"}
            assert last_order_wire(sim) == {**head, **wire, **tail}, cid
        held = {o.client_order_id: o for o in sim.spot_open_orders(symbol=BTC)}
        assert set(held) == {cid for cid, _, _ in ORDER_TYPES}
        assert held["sll"].stop_price == 48000 and held["tpl"].price == 52100
        assert held["tr"].trailing_delta == 100 and held["ice"].iceberg_qty == Decimal("0.002")
        sim.spot_set_price(BTC, Decimal(47950))  # under 48000: the stop losses trigger
        stop = await client.get_order(symbol=BTC, orig_client_order_id="sl")
        assert stop.status == "FILLED"
        assert (await client.get_order(symbol=BTC, orig_client_order_id="tp")).status == "NEW"
        sold = await client.new_order(
            symbol=BTC, side="SELL", type="MARKET", quantity="0.001", new_client_order_id="m"
        )
    assert sold.status == "FILLED" and sold.fills  # MARKET answers FULL by default
    assert sum(f.qty for f in sold.fills) == sold.executed_qty == Decimal("0.001")


def _aligned(sim: Simulator) -> None:
    """Put the server's clock half a second into a 10 s window: the test's orders share it."""
    now_ms = int(time.time() * 1000)
    sim.clock.set_offset_ms(500 - now_ms % 10_000)


async def test_order_windows_from_exchange_info_and_counts_from_headers() -> None:
    """ORDERS 10 s and 1 d limits come from exchangeInfo; the account's count comes from
    X-MBX-ORDER-COUNT-10S / -1D, which include the orders another process placed."""
    limits = SpotRateLimitConfig(order_limits=((7, "SECOND", 10), (1000, "DAY", 1)))
    async with Simulator(spot=SpotConfig(rate_limits=limits)) as sim:
        _aligned(sim)
        creds = sim.new_credentials("hmac")
        async with make_spot(sim, creds) as other, make_spot(sim, creds) as client:
            await client.exchange_info()
            orders = {w.label: w for w in client.limits.windows if w.kind == "ORDERS"}
            assert {k: (w.limit, w.used) for k, w in orders.items()} == {
                "10S": (7, 0),
                "1D": (1000, 0),
            }
            for n in range(3):  # another process of the account
                await other.new_order(
                    symbol=BTC, side="BUY", type="LIMIT", quantity="0.001", price=str(48000 + n)
                )
            await client.new_order(
                symbol=BTC, side="BUY", type="LIMIT", quantity="0.001", price="47000"
            )
            orders = {w.label: w for w in client.limits.windows if w.kind == "ORDERS"}
            assert {k: w.used for k, w in orders.items()} == {"10S": 4, "1D": 4}
        assert sim.audit.status_count(429) == 0


async def test_spot_and_futures_budgets_are_apart_on_one_address() -> None:
    """A Spot and a USDⓈ-M client of one account on one address, sharing one budget store:
    each one's used weight is its own exchange's, never the sum."""
    day = {"weight_interval": "DAY", "weight_interval_num": 1}  # no window ends mid-test
    store = MemoryBudgetStore()
    async with Simulator(
        rate_limits=RateLimitConfig(**day),
        spot=SpotConfig(rate_limits=SpotRateLimitConfig(**day)),
    ) as sim:
        creds = sim.new_credentials("hmac")
        shared: dict[str, Any] = {"budget_store": store, "account": "one"}
        async with (
            make_spot(sim, creds, **shared) as spot,
            make_client(sim, creds, **shared) as futures,
        ):
            await spot.exchange_info()
            await spot.depth(BTC, limit=500)  # 25
            await futures.exchange_info()
            await futures.depth(BTC, limit=100)  # 5
            await spot.account()  # 20

            def used(client: Any) -> int:
                (weight,) = [w for w in client.limits.windows if w.kind == "REQUEST_WEIGHT"]
                assert weight.in_flight == 0
                return int(weight.used)

            def charged(prefix: str) -> int:
                return sum(r.weight for r in sim.audit.requests if r.path.startswith(prefix))

            assert used(spot) == charged("/api/v3/") >= 20 + 25 + 20
            assert used(futures) == charged("/fapi/") >= 5
