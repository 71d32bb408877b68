"""Models from the exchange's documented answers: Decimal amounts, ``*_ms`` times, the raw
payload kept, and a clear refusal of an answer that is not the model's."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from binance_async import (
    AccountInfo,
    AlgoOrder,
    Depth,
    Kline,
    LeverageBracket,
    LeverageChange,
    MarkPrice,
    Order,
    Position,
    SymbolInfo,
    UserTrade,
)
from binance_async.models import orders
from binance_async.models.fields import slot_builder


def test_algo_order_from_its_documented_answer() -> None:
    """algoStatus is the status; prices Decimal; times in ms; ids ints."""
    payload = {
        "algoId": 2146760,
        "clientAlgoId": "6B2I9XVcJpCjqPAJ4YoFX7",
        "algoType": "CONDITIONAL",
        "orderType": "TAKE_PROFIT",
        "symbol": "BNBUSDT",
        "side": "SELL",
        "positionSide": "BOTH",
        "timeInForce": "GTC",
        "quantity": "0.01",
        "algoStatus": "NEW",
        "triggerPrice": "750.000",
        "price": "750.000",
        "workingType": "CONTRACT_PRICE",
        "closePosition": False,
        "priceProtect": False,
        "reduceOnly": False,
        "createTime": 1750485492076,
        "updateTime": 1750485492076,
        "triggerTime": 0,
    }
    order = AlgoOrder.from_payload(payload)
    assert (order.algo_id, order.client_algo_id, order.status, order.type) == (
        2146760,
        "6B2I9XVcJpCjqPAJ4YoFX7",
        "NEW",
        "TAKE_PROFIT",
    )
    assert order.trigger_price == Decimal("750.000") and order.quantity == Decimal("0.01")
    assert order.create_time_ms == 1750485492076 and order.is_open and not order.reconciled
    assert order.raw is payload and order.as_reconciled().reconciled


def test_kline_from_its_array() -> None:
    """A kline is an array: every field lands typed, the raw array kept."""
    raw = [1499040000000, "0.016", "0.8", "0.015", "0.0157", "148976.1", 1499644799999,
           "2434.19", 308, "1756.87", "28.46", "17928899.62484339"]  # fmt: skip
    kline = Kline.from_payload(raw)
    assert (kline.open_time_ms, kline.close_time_ms, kline.trades) == (
        1499040000000,
        1499644799999,
        308,
    )
    assert kline.close == Decimal("0.0157") and kline.taker_buy_quote_volume == Decimal("28.46")
    with pytest.raises(TypeError):
        Kline.from_payload(raw[:5])


def test_depth_levels_are_decimal_pairs_best_first() -> None:
    """bids and asks as (price, qty) Decimals, in the answer's order."""
    depth = Depth.from_payload(
        {"lastUpdateId": 1027024, "E": 1589436922972, "T": 1589436922959,
         "bids": [["4.00000000", "431.00000000"]], "asks": [["4.00000200", "12.00000000"]]}
    )  # fmt: skip
    assert depth.last_update_id == 1027024 and depth.event_time_ms == 1589436922972
    assert depth.bids == ((Decimal("4.00000000"), Decimal("431.00000000")),)
    assert depth.asks[0][0] == Decimal("4.00000200")


def test_positions_read_both_spellings_of_unrealized_profit() -> None:
    """positionRisk says unRealizedProfit, the account's positions unrealizedProfit."""
    risk = Position.from_payload(
        {"symbol": "BTCUSDT", "positionSide": "LONG", "positionAmt": "0.5",
         "entryPrice": "50000", "unRealizedProfit": "12.5", "leverage": "10"}
    )  # fmt: skip
    account = AccountInfo.from_payload(
        {"totalWalletBalance": "100", "assets": [{"asset": "USDT", "walletBalance": "100"}],
         "positions": [{"symbol": "BTCUSDT", "positionAmt": "-1", "unrealizedProfit": "-3"}]}
    )  # fmt: skip
    assert (risk.position_side, risk.unrealized_profit, risk.leverage) == (
        "LONG",
        Decimal("12.5"),
        10,
    )
    (position,) = account.positions
    assert position.unrealized_profit == Decimal("-3") and position.position_side == "BOTH"


def test_brackets_caps_and_marks() -> None:
    """Nested brackets; an unlimited cap ("INF") is None; mark price times in ms."""
    bracket = LeverageBracket.from_payload(
        {"symbol": "ETHUSDT", "notionalCoef": 1.5, "brackets": [{"bracket": 1,
         "initialLeverage": 75, "notionalCap": 10000, "notionalFloor": 0,
         "maintMarginRatio": 0.0065, "cum": 0}]}
    )  # fmt: skip
    assert bracket.brackets[0].initial_leverage == 75
    assert bracket.brackets[0].maint_margin_ratio == Decimal("0.0065")
    change = LeverageChange.from_payload(
        {"leverage": 1, "maxNotionalValue": "INF", "symbol": "BTCUSDT"}
    )
    assert change.max_notional_value is None
    mark = MarkPrice.from_payload(
        {"symbol": "BTCUSDT", "markPrice": "11793.63104562", "indexPrice": "11781.80495970",
         "lastFundingRate": "0.00038246", "nextFundingTime": 1597392000000,
         "interestRate": "0.00010000", "time": 1597370495002}
    )  # fmt: skip
    assert mark.next_funding_time_ms == 1597392000000 and mark.time_ms == 1597370495002


def test_answers_that_are_not_the_model_are_refused() -> None:
    """A missing field, a wrong type, a non-finite amount: an error, never a half model."""
    with pytest.raises(KeyError):
        UserTrade.from_payload({"id": 1})
    with pytest.raises(TypeError):
        AlgoOrder.from_payload([])
    with pytest.raises(TypeError):
        AlgoOrder.from_payload({"algoId": True, "clientAlgoId": "x", "symbol": "B",
                                "algoStatus": "NEW"})  # fmt: skip
    with pytest.raises(ValueError):
        MarkPrice.from_payload({"symbol": "B", "markPrice": "NaN", "time": 1})


def test_symbol_rounding_with_a_mode() -> None:
    """round_quantity (down by default) and round_price (nearest by default, any mode)."""
    info = SymbolInfo.from_payload(
        {"symbol": "BTCUSDT", "filters": [
            {"filterType": "PRICE_FILTER", "tickSize": "0.10", "minPrice": "0.10",
             "maxPrice": "1000000"},
            {"filterType": "LOT_SIZE", "stepSize": "0.001", "minQty": "0.001",
             "maxQty": "1000"}]}
    )  # fmt: skip
    assert info.round_quantity(Decimal("0.0129")) == Decimal("0.012")
    assert info.round_quantity(Decimal("0.0121"), rounding="ROUND_UP") == Decimal("0.013")
    assert info.round_price(Decimal("50000.06")) == Decimal("50000.1")
    assert info.round_price(Decimal("50000.06"), rounding="ROUND_DOWN") == Decimal("50000.0")


def test_order_amounts_read_exactly_and_the_text_memo_stays_bounded() -> None:
    """Each amount is the Decimal of its text (digits kept, "" is zero, NaN refused), however
    many distinct texts pass: the memo of texts read stops growing at its bound."""
    base = {
        "symbol": "BTCUSDT",
        "orderId": 1,
        "clientOrderId": "c",
        "status": "NEW",
        "side": "BUY",
        "type": "LIMIT",
        "origQty": "0.0030",
        "executedQty": "",
        "avgPrice": 0,
    }
    for i in range(orders._DECIMALS_MAX + 100):
        order = Order.from_payload({**base, "price": f"{40000 + i}.10"})
        assert order.price == Decimal(f"{40000 + i}.10")
    assert len(orders._DECIMALS) <= orders._DECIMALS_MAX
    again = Order.from_payload({**base, "price": "40000.10"})
    assert str(again.price) == "40000.10" and str(again.orig_qty) == "0.0030"
    assert again.executed_qty == 0 and again.avg_price == 0 and again.cum_quote == 0
    with pytest.raises(ValueError, match="finite"):
        Order.from_payload({**base, "price": "NaN"})


def test_an_order_from_its_answer_equals_one_built_by_keyword() -> None:
    """from_payload's positional builder puts each value in its own field: the same order,
    repr and hash as the keyword constructor; still frozen, still evolvable."""
    payload = {
        "symbol": "ETHUSDT",
        "orderId": 42,
        "clientOrderId": "cid-1",
        "status": "PARTIALLY_FILLED",
        "side": "SELL",
        "type": "LIMIT",
        "price": "2000.5",
        "origQty": "0.300",
        "executedQty": "0.100",
        "avgPrice": "2000.50",
        "cumQuote": "200.05",
        "timeInForce": "GTX",
        "reduceOnly": True,
        "closePosition": False,
        "positionSide": "SHORT",
        "updateTime": 1700000000123,
    }
    order = Order.from_payload(payload)
    expected = Order(
        symbol="ETHUSDT",
        order_id=42,
        client_order_id="cid-1",
        status="PARTIALLY_FILLED",
        side="SELL",
        type="LIMIT",
        price=Decimal("2000.5"),
        orig_qty=Decimal("0.300"),
        executed_qty=Decimal("0.100"),
        avg_price=Decimal("2000.50"),
        cum_quote=Decimal("200.05"),
        time_in_force="GTX",
        reduce_only=True,
        close_position=False,
        position_side="SHORT",
        update_time_ms=1700000000123,
        raw=payload,
    )
    assert order == expected and hash(order) == hash(expected)
    assert repr(order) == repr(expected) and order.raw is payload and not order.reconciled
    assert str(order.orig_qty) == "0.300" and str(order.avg_price) == "2000.50"
    assert order.as_reconciled() == attrs.evolve(expected, reconciled=True)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        order.status = "FILLED"  # type: ignore[misc]


def test_the_slot_builder_takes_slotted_attrs_classes_only() -> None:
    """A class without slots (or not attrs) is refused when the builder is made."""

    @attrs.frozen(slots=False)
    class Unslotted:
        a: int

    @attrs.frozen(slots=True)
    class Base:
        a: int

    @attrs.frozen(slots=True)
    class Child(Base):
        b: str

    with pytest.raises(TypeError, match="slotted attrs class"):
        slot_builder(dict)
    with pytest.raises(TypeError, match="slotted attrs class"):
        slot_builder(Unslotted)
    assert slot_builder(Child)(1, "x") == Child(1, "x")
