"""-1111: more decimals than the symbol's precision, before the filters' own codes."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from binance_async.testing import Simulator, SymbolSpec
from binance_async.testing.errors import ApiError

from .conftest import RawClient

PRECISION = "Precision is over the maximum defined for this asset."


def spec() -> SymbolSpec:
    """A symbol whose step (0.010) and tick (0.50) are coarser than its precision (3, 2)."""
    btc = Simulator().symbols["BTCUSDT"]
    return attrs.evolve(
        btc,
        tick_size=Decimal("0.50"),
        min_price=Decimal("1.00"),
        step_size=Decimal("0.010"),
        min_qty=Decimal("0.010"),
        market_step_size=Decimal("0.010"),
        market_min_qty=Decimal("0.010"),
    )


def code(check: object, *args: object, **kwargs: object) -> int | None:
    try:
        check(*args, **kwargs)  # type: ignore[operator]
    except ApiError as exc:
        return exc.code
    return None


@pytest.mark.parametrize(
    ("qty", "expected"),
    [
        ("0.0105", -1111),  # 4 decimals: over quantityPrecision 3
        ("0.015", -4023),  # in precision, off the step
        ("0.005", -4004),  # in precision, under minQty
        ("0.020", None),
        ("0.02000000", None),  # trailing zeros do not count
        ("5", None),
    ],
)
def test_quantity_precision_then_step(qty: str, expected: int | None) -> None:
    s = spec()
    assert code(s.check_qty, Decimal(qty), market=False) == expected
    assert code(s.check_qty, Decimal(qty), market=True) == expected


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        ("50000.125", -1111),  # 3 decimals: over pricePrecision 2
        ("50000.25", -4014),  # in precision, off the tick
        ("0.50", -4013),
        ("50000.50", None),
        ("50000.5000", None),
        ("50000", None),
    ],
)
def test_price_precision_then_tick(price: str, expected: int | None) -> None:
    assert code(spec().check_price, Decimal(price)) == expected


async def test_precision_on_the_wire(sim: Simulator, client: RawClient) -> None:
    """New orders, modifications and algo orders answer -1111 with the documented message."""
    order = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.010",
        "price": "49000.10",
    }
    assert (await client.signed("POST", "/fapi/v1/order", order)).status == 200
    for bad in ({"price": "49000.123"}, {"quantity": "0.0101"}):
        r = await client.signed("POST", "/fapi/v1/order", {**order, **bad})
        assert (r.status, r.json) == (400, {"code": -1111, "msg": PRECISION}), bad
    modify = {k: order[k] for k in ("symbol", "side", "quantity")}
    r = await client.signed(
        "PUT", "/fapi/v1/order", {**modify, "origClientOrderId": "x", "price": "49000.001"}
    )
    assert r.code == -1111
    algo = {
        "algoType": "CONDITIONAL",
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "STOP_MARKET",
        "quantity": "0.01",
        "triggerPrice": "45000.001",
    }
    assert (await client.signed("POST", "/fapi/v1/algoOrder", algo)).code == -1111
    off_tick = await client.signed("POST", "/fapi/v1/order", {**order, "price": "49000.05"})
    assert off_tick.code == -4014
