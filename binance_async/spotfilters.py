"""Spot's symbol filters: check an order before anything is sent, with exact arithmetic.

Rules from the Spot filters documentation: PRICE_FILTER on ``price`` and ``stopPrice``
(``price % tickSize == 0``, from zero, not from ``minPrice`` as on futures); LOT_SIZE on
``quantity`` and ``icebergQty``, and MARKET_LOT_SIZE too for MARKET orders; NOTIONAL (or the
legacy MIN_NOTIONAL) on ``price * quantity``; ICEBERG_PARTS (``ceil(quantity / icebergQty)``);
TRAILING_DELTA by side and type; and what the symbol allows (order types, iceberg, quote
quantity MARKET orders, trailing stops, STP modes). A zero field disables its check.

What only the exchange knows at that moment is left to it: the average price behind a MARKET
order's notional and PERCENT_PRICE_BY_SIDE, and the open orders MAX_NUM_* counts.
Every refusal is a :class:`~binance_async.errors.FilterViolation` naming the filter.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Context, Decimal

from .errors import FilterViolation
from .models.spotmarket import SpotSymbolInfo

__all__ = ["check_spot_order"]

#: Exact arithmetic: the default 28 digits would round a long input onto a step it is not on
#: (inputs are at most 40 significant digits, see ``params.amount``).
_EXACT = Context(prec=120)
#: Types whose trailing stop triggers above the market (TRAILING_DELTA's "above" bounds).
_ABOVE = frozenset(
    {("STOP_LOSS", "BUY"), ("STOP_LOSS_LIMIT", "BUY")}
    | {("TAKE_PROFIT", "SELL"), ("TAKE_PROFIT_LIMIT", "SELL")}
)


def _refuse(info: SpotSymbolInfo, kind: str, text: str) -> FilterViolation:
    return FilterViolation(f"{info.symbol} {kind}: {text}", symbol=info.symbol, filter_type=kind)


def _on_step(value: Decimal, step: Decimal) -> bool:
    return not step or _EXACT.remainder(value, step) == 0


def _check_range(
    info: SpotSymbolInfo,
    kind: str,
    what: str,
    value: Decimal,
    low: Decimal,
    high: Decimal,
    step: Decimal,
) -> None:
    if value <= 0:
        raise _refuse(info, kind, f"{what} {value} must be > 0")
    if low and value < low:
        raise _refuse(info, kind, f"{what} {value} is below the minimum {low}")
    if high and value > high:
        raise _refuse(info, kind, f"{what} {value} is above the maximum {high}")
    if not _on_step(value, step):
        below = _EXACT.multiply(_EXACT.divide_int(value, step), step)
        raise _refuse(
            info, kind, f"{what} {value} is not on the step {step} (nearest below: {below})"
        )


def _check_price(info: SpotSymbolInfo, what: str, price: Decimal) -> None:
    _check_range(info, "PRICE_FILTER", what, price, info.min_price, info.max_price, info.tick_size)


def _check_lot(info: SpotSymbolInfo, what: str, qty: Decimal, *, market: bool) -> None:
    _check_range(info, "LOT_SIZE", what, qty, info.min_qty, info.max_qty, info.step_size)
    if market:
        _check_range(
            info,
            "MARKET_LOT_SIZE",
            what,
            qty,
            info.market_min_qty,
            info.market_max_qty,
            info.market_step_size,
        )


def _check_allowed(
    info: SpotSymbolInfo,
    order_type: str,
    *,
    quote_order_qty: Decimal | None,
    trailing_delta: int | None,
    iceberg_qty: Decimal | None,
    stp_mode: str | None,
) -> None:
    if info.status != "TRADING":
        raise _refuse(info, "STATUS", f"not trading (status {info.status})")
    if info.order_types and order_type not in info.order_types:
        raise _refuse(info, "orderTypes", f"{order_type} orders are not allowed")
    if iceberg_qty is not None and not info.iceberg_allowed:
        raise _refuse(info, "icebergAllowed", "iceberg orders are not allowed")
    if quote_order_qty is not None and not info.quote_order_qty_market_allowed:
        raise _refuse(
            info, "quoteOrderQtyMarketAllowed", "MARKET orders by quote quantity are not allowed"
        )
    if trailing_delta is not None and not info.allow_trailing_stop:
        raise _refuse(info, "allowTrailingStop", "trailing stop orders are not allowed")
    allowed = info.allowed_self_trade_prevention_modes
    if stp_mode is not None and allowed and stp_mode not in allowed:
        raise _refuse(
            info,
            "allowedSelfTradePreventionModes",
            f"self-trade prevention mode {stp_mode} is not one of {list(allowed)}",
        )


def _check_notional(info: SpotSymbolInfo, quantity: Decimal, price: Decimal) -> None:
    notional = _EXACT.multiply(quantity, price)
    if info.min_notional and notional < info.min_notional:
        raise _refuse(
            info, "NOTIONAL", f"notional {notional} is below the minimum {info.min_notional}"
        )
    if info.max_notional and notional > info.max_notional:
        raise _refuse(
            info, "NOTIONAL", f"notional {notional} is above the maximum {info.max_notional}"
        )


def _check_iceberg(info: SpotSymbolInfo, quantity: Decimal, iceberg_qty: Decimal) -> None:
    if iceberg_qty >= quantity:
        raise _refuse(
            info, "ICEBERG_PARTS", f"icebergQty {iceberg_qty} must be below quantity {quantity}"
        )
    parts = _EXACT.divide(quantity, iceberg_qty).to_integral_value(rounding=ROUND_CEILING)
    if info.iceberg_parts and parts > info.iceberg_parts:
        raise _refuse(
            info,
            "ICEBERG_PARTS",
            f"quantity {quantity} in parts of {iceberg_qty} makes {parts} parts, "
            f"above the limit of {info.iceberg_parts}",
        )


def _check_trailing(info: SpotSymbolInfo, order_type: str, side: str, delta: int) -> None:
    above = (order_type, side) in _ABOVE
    low = info.min_trailing_above_delta if above else info.min_trailing_below_delta
    high = info.max_trailing_above_delta if above else info.max_trailing_below_delta
    where = "above" if above else "below"
    if (low and delta < low) or (high and delta > high):
        raise _refuse(
            info,
            "TRAILING_DELTA",
            f"trailingDelta {delta} is outside the {where} bounds [{low}, {high}]",
        )


def check_spot_order(
    info: SpotSymbolInfo,
    *,
    order_type: str,
    side: str,
    quantity: Decimal | None = None,
    quote_order_qty: Decimal | None = None,
    price: Decimal | None = None,
    stop_price: Decimal | None = None,
    trailing_delta: int | None = None,
    iceberg_qty: Decimal | None = None,
    self_trade_prevention_mode: str | None = None,
    what: str = "",
) -> None:
    """Raise :class:`~binance_async.errors.FilterViolation` for an order (or one order of a
    list: ``what`` names it, ``"above"``) that the symbol's filters refuse."""
    name = f"{what} " if what else ""
    _check_allowed(
        info,
        order_type,
        quote_order_qty=quote_order_qty,
        trailing_delta=trailing_delta,
        iceberg_qty=iceberg_qty,
        stp_mode=self_trade_prevention_mode,
    )
    if quantity is not None:
        _check_lot(info, f"{name}quantity", quantity, market=order_type == "MARKET")
    if iceberg_qty is not None:
        _check_lot(info, f"{name}icebergQty", iceberg_qty, market=False)
        if quantity is not None:
            _check_iceberg(info, quantity, iceberg_qty)
    if quote_order_qty is not None and quote_order_qty <= 0:
        raise _refuse(info, "NOTIONAL", f"{name}quoteOrderQty {quote_order_qty} must be > 0")
    if price is not None:
        _check_price(info, f"{name}price", price)
        if quantity is not None:
            _check_notional(info, quantity, price)
    if stop_price is not None:
        _check_price(info, f"{name}stopPrice", stop_price)
    if trailing_delta is not None:
        _check_trailing(info, order_type, side, trailing_delta)
