"""Exchange filters: check prices and quantities before anything is sent, and round them.

Rules from reference/fapi-rules.md section 10: (value - min) must be a multiple of the step;
a zero field disables its check. Nothing here rounds silently: validation raises, and
``SymbolInfo.round_quantity`` / ``round_price`` are there for callers who want rounding.
"""

from __future__ import annotations

from decimal import Context, Decimal

from .errors import FilterViolation
from .models.exchange import SymbolInfo

__all__ = ["check_order", "check_price"]

#: Exact arithmetic for the checks: the default 28 digits would round a long input onto a
#: step it is not on (inputs are at most 40 significant digits, see ``params.amount``).
_EXACT = Context(prec=120)
#: Compared against as a Decimal: a comparison with the int 0 converts it on every call.
_ZERO = Decimal(0)


def _on_step(value: Decimal, minimum: Decimal, step: Decimal) -> bool:
    if not step:
        return True
    return not _EXACT.remainder(_EXACT.subtract(value, minimum), step)


def _check_qty(info: SymbolInfo, quantity: Decimal, *, market: bool) -> None:
    name = "MARKET_LOT_SIZE" if market else "LOT_SIZE"
    step = info.market_step_size if market else info.step_size
    low = info.market_min_qty if market else info.min_qty
    high = info.market_max_qty if market else info.max_qty
    if quantity <= _ZERO:
        raise FilterViolation(
            f"{info.symbol}: quantity {quantity} must be > 0", symbol=info.symbol, filter_type=name
        )
    if low and quantity < low:
        raise FilterViolation(
            f"{info.symbol}: quantity {quantity} is below {name}.minQty {low}",
            symbol=info.symbol,
            filter_type=name,
        )
    if high and quantity > high:
        raise FilterViolation(
            f"{info.symbol}: quantity {quantity} is above {name}.maxQty {high}",
            symbol=info.symbol,
            filter_type=name,
        )
    if not _on_step(quantity, low, step):
        raise FilterViolation(
            f"{info.symbol}: quantity {quantity} is not on the {name} step {step} "
            f"(nearest below: {info.round_quantity(quantity, market=market)})",
            symbol=info.symbol,
            filter_type=name,
        )


def check_price(info: SymbolInfo, price: Decimal, what: str = "price") -> None:
    """Raise :class:`FilterViolation` for a price off the PRICE_FILTER (min, max, tick)."""
    if price <= _ZERO:
        raise FilterViolation(
            f"{info.symbol}: {what} {price} must be > 0",
            symbol=info.symbol,
            filter_type="PRICE_FILTER",
        )
    if info.min_price and price < info.min_price:
        raise FilterViolation(
            f"{info.symbol}: {what} {price} is below PRICE_FILTER.minPrice {info.min_price}",
            symbol=info.symbol,
            filter_type="PRICE_FILTER",
        )
    if info.max_price and price > info.max_price:
        raise FilterViolation(
            f"{info.symbol}: {what} {price} is above PRICE_FILTER.maxPrice {info.max_price}",
            symbol=info.symbol,
            filter_type="PRICE_FILTER",
        )
    if not _on_step(price, info.min_price, info.tick_size):
        raise FilterViolation(
            f"{info.symbol}: {what} {price} is not on the tick size {info.tick_size} "
            f"(nearest: {info.round_price(price)})",
            symbol=info.symbol,
            filter_type="PRICE_FILTER",
        )


def check_order(
    info: SymbolInfo,
    *,
    order_type: str,
    quantity: Decimal | None,
    price: Decimal | None,
    reduce_only: bool = False,
) -> None:
    """Raise :class:`FilterViolation` for a quantity or price the exchange would refuse.

    MIN_NOTIONAL is checked for priced orders only: a MARKET order's notional uses the mark
    price, which only the exchange knows at that moment; reduce-only orders are exempt.
    """
    if info.status != "TRADING":
        raise FilterViolation(
            f"{info.symbol} is not trading (status {info.status})",
            symbol=info.symbol,
            filter_type="STATUS",
        )
    if quantity is not None:
        _check_qty(info, quantity, market=order_type == "MARKET")
    if price is not None:
        check_price(info, price)
    if (
        quantity is not None
        and price is not None
        and not reduce_only
        and info.min_notional
        and quantity * price < info.min_notional
    ):
        raise FilterViolation(
            f"{info.symbol}: notional {quantity * price} is below MIN_NOTIONAL "
            f"{info.min_notional} (reduce-only orders are exempt)",
            symbol=info.symbol,
            filter_type="MIN_NOTIONAL",
        )
