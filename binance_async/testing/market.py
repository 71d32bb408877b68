"""Listed symbols, their filters (as the real exchangeInfo shapes them) and mark prices."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from decimal import ROUND_DOWN, ROUND_UP, Decimal

import attrs

from .errors import ApiError, bad_symbol

__all__ = ["Market", "SymbolSpec", "default_symbols"]

_ORDER_TYPES = [
    "LIMIT",
    "MARKET",
    "STOP",
    "STOP_MARKET",
    "TAKE_PROFIT",
    "TAKE_PROFIT_MARKET",
    "TRAILING_STOP_MARKET",
]
_TIME_IN_FORCE = ["GTC", "IOC", "FOK", "GTX", "GTD"]


def _places(step: Decimal) -> int:
    exponent = step.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _decimals(value: Decimal) -> int:
    """Decimals of ``value`` once trailing zeros are dropped ("0.0100" has 2)."""
    return _places(value.normalize()) if value.is_finite() and value else 0


def _precision_error() -> ApiError:
    return ApiError(-1111, "Precision is over the maximum defined for this asset.")


@attrs.frozen(kw_only=True)
class SymbolSpec:
    """One perpetual contract and its filters."""

    symbol: str
    base_asset: str
    quote_asset: str = "USDT"
    price_precision: int
    quantity_precision: int
    min_price: Decimal
    max_price: Decimal
    tick_size: Decimal
    min_qty: Decimal
    max_qty: Decimal
    step_size: Decimal
    market_min_qty: Decimal
    market_max_qty: Decimal
    market_step_size: Decimal
    min_notional: Decimal
    max_num_orders: int = 200
    max_num_algo_orders: int = 10
    multiplier_up: Decimal = Decimal("1.0500")
    multiplier_down: Decimal = Decimal("0.9500")
    multiplier_decimal: int = 4
    initial_mark: Decimal
    #: Hours between funding times (8 on most contracts; 4 marks an adjusted one).
    funding_interval_hours: int = 8

    @property
    def price_places(self) -> int:
        """Decimals of a price string (from tickSize)."""
        return _places(self.tick_size)

    @property
    def qty_places(self) -> int:
        """Decimals of a quantity string (from stepSize)."""
        return _places(self.step_size)

    def fmt_price(self, value: Decimal) -> str:
        """A price as the exchange prints it."""
        return f"{value:.{self.price_places}f}"

    def fmt_qty(self, value: Decimal) -> str:
        """A quantity as the exchange prints it."""
        return f"{value:.{self.qty_places}f}"

    def check_price(self, price: Decimal) -> None:
        """-1111 more decimals than ``pricePrecision``; then PRICE_FILTER: -4013 below
        minPrice, -4002 above maxPrice, -4014 off the tick."""
        if _decimals(price) > self.price_precision:
            raise _precision_error()
        if self.min_price and price < self.min_price:
            raise ApiError(-4013, "Price less than min price.")
        if self.max_price and price > self.max_price:
            raise ApiError(-4002, "Price greater than max price.")
        if self.tick_size and (price - self.min_price) % self.tick_size != 0:
            raise ApiError(-4014, "Price not increased by tick size.")

    def check_qty(self, qty: Decimal, *, market: bool) -> None:
        """-1111 more decimals than ``quantityPrecision``; then LOT_SIZE (MARKET_LOT_SIZE for
        MARKET): -4003, -4004, -4005, -4023."""
        if _decimals(qty) > self.quantity_precision:
            raise _precision_error()
        if qty <= 0:
            raise ApiError(-4003, "Quantity less than or equal to zero.")
        low, high, step = (
            (self.market_min_qty, self.market_max_qty, self.market_step_size)
            if market
            else (self.min_qty, self.max_qty, self.step_size)
        )
        if low and qty < low:
            raise ApiError(-4004, "Quantity less than min quantity.")
        if high and qty > high:
            raise ApiError(-4005, "Quantity greater than max quantity.")
        if step and (qty - low) % step != 0:
            raise ApiError(-4023, "Quantity not increased by step size.")

    def check_percent_price(self, side: str, price: Decimal, mark: Decimal) -> None:
        """PERCENT_PRICE: BUY <= mark*multiplierUp (-4016), SELL >= mark*multiplierDown (-4024)."""
        if side == "BUY":
            cap = mark * self.multiplier_up
            if price > cap:
                cap_str = self.fmt_price(cap.quantize(self.tick_size, ROUND_DOWN))
                raise ApiError(-4016, f"Limit price can't be higher than {cap_str}.")
        else:
            floor = mark * self.multiplier_down
            if price < floor:
                floor_str = self.fmt_price(floor.quantize(self.tick_size, ROUND_UP))
                raise ApiError(-4024, f"Limit price can't be lower than {floor_str}.")

    def check_notional(self, notional: Decimal, *, reduce_only: bool) -> None:
        """MIN_NOTIONAL: -4164 below the minimum, unless reduce-only."""
        if not reduce_only and notional < self.min_notional:
            raise ApiError(
                -4164,
                f"Order's notional must be no smaller than {self.min_notional} "
                "(unless you choose reduce only).",
            )

    def info(self) -> dict[str, object]:
        """The symbol's entry in exchangeInfo."""
        return {
            "symbol": self.symbol,
            "pair": self.symbol,
            "contractType": "PERPETUAL",
            "deliveryDate": 4133404800000,
            "onboardDate": 1569398400000,
            "status": "TRADING",
            "maintMarginPercent": "2.5000",
            "requiredMarginPercent": "5.0000",
            "baseAsset": self.base_asset,
            "quoteAsset": self.quote_asset,
            "marginAsset": self.quote_asset,
            "pricePrecision": self.price_precision,
            "quantityPrecision": self.quantity_precision,
            "baseAssetPrecision": 8,
            "quotePrecision": 8,
            "underlyingType": "COIN",
            "underlyingSubType": [],
            "triggerProtect": "0.0500",
            "liquidationFee": "0.012500",
            "marketTakeBound": "0.05",
            "maxMoveOrderLimit": 10000,
            "filters": [
                {
                    "filterType": "PRICE_FILTER",
                    "minPrice": str(self.min_price),
                    "maxPrice": str(self.max_price),
                    "tickSize": str(self.tick_size),
                },
                {
                    "filterType": "LOT_SIZE",
                    "minQty": str(self.min_qty),
                    "maxQty": str(self.max_qty),
                    "stepSize": str(self.step_size),
                },
                {
                    "filterType": "MARKET_LOT_SIZE",
                    "minQty": str(self.market_min_qty),
                    "maxQty": str(self.market_max_qty),
                    "stepSize": str(self.market_step_size),
                },
                {"filterType": "MAX_NUM_ORDERS", "limit": self.max_num_orders},
                {"filterType": "MAX_NUM_ALGO_ORDERS", "limit": self.max_num_algo_orders},
                {"filterType": "MIN_NOTIONAL", "notional": str(self.min_notional)},
                {
                    "filterType": "PERCENT_PRICE",
                    "multiplierUp": str(self.multiplier_up),
                    "multiplierDown": str(self.multiplier_down),
                    "multiplierDecimal": str(self.multiplier_decimal),
                },
            ],
            "orderTypes": list(_ORDER_TYPES),
            "timeInForce": list(_TIME_IN_FORCE),
        }


def default_symbols() -> tuple[SymbolSpec, ...]:
    """BTCUSDT and ETHUSDT as listed on fapi, and one symbol with a non-ASCII name."""
    d = Decimal
    return (
        SymbolSpec(
            symbol="BTCUSDT",
            base_asset="BTC",
            price_precision=2,
            quantity_precision=3,
            min_price=d("261.10"),
            max_price=d("809484"),
            tick_size=d("0.10"),
            min_qty=d("0.001"),
            max_qty=d("1000"),
            step_size=d("0.001"),
            market_min_qty=d("0.001"),
            market_max_qty=d("120"),
            market_step_size=d("0.001"),
            min_notional=d("100"),
            initial_mark=d("50000"),
        ),
        SymbolSpec(
            symbol="ETHUSDT",
            base_asset="ETH",
            price_precision=2,
            quantity_precision=3,
            min_price=d("39.86"),
            max_price=d("306177"),
            tick_size=d("0.01"),
            min_qty=d("0.001"),
            max_qty=d("10000"),
            step_size=d("0.001"),
            market_min_qty=d("0.001"),
            market_max_qty=d("2000"),
            market_step_size=d("0.001"),
            min_notional=d("20"),
            initial_mark=d("3000"),
        ),
        SymbolSpec(
            symbol="币安人生USDT",
            base_asset="币安人生",
            price_precision=5,
            quantity_precision=0,
            min_price=d("0.00010"),
            max_price=d("200"),
            tick_size=d("0.00001"),
            min_qty=d("1"),
            max_qty=d("10000000"),
            step_size=d("1"),
            market_min_qty=d("1"),
            market_max_qty=d("2000000"),
            market_step_size=d("1"),
            min_notional=d("5"),
            initial_mark=d("0.15000"),
            funding_interval_hours=4,
        ),
    )


class Market:
    """Symbols by name, their current mark prices, and each mark's history."""

    def __init__(self, symbols: Iterable[SymbolSpec] | None = None) -> None:
        specs = tuple(default_symbols() if symbols is None else symbols)
        self.symbols: dict[str, SymbolSpec] = {s.symbol: s for s in specs}
        self._marks: dict[str, Decimal] = {s.symbol: s.initial_mark for s in specs}
        #: symbol -> [(time ms, mark)] of every change, in time order.
        self._history: dict[str, list[tuple[int, Decimal]]] = {s.symbol: [] for s in specs}

    def spec(self, symbol: str | None) -> SymbolSpec:
        """The symbol's spec, or -1121."""
        spec = self.symbols.get(symbol or "")
        if spec is None:
            raise bad_symbol()
        return spec

    def mark(self, symbol: str) -> Decimal:
        """Current mark price."""
        return self._marks[symbol]

    def set_mark(self, symbol: str, price: Decimal, now_ms: int | None = None) -> None:
        """Move the mark price (validated against the symbol list); ``now_ms`` records when."""
        if symbol not in self.symbols:
            raise KeyError(f"symbol: {symbol!r} is not listed")
        if price <= 0:
            raise ValueError(f"price: must be positive, got {price}")
        self._marks[symbol] = Decimal(price)
        if now_ms is not None:
            history = self._history[symbol]
            at = max(now_ms, history[-1][0]) if history else now_ms
            history.append((at, Decimal(price)))

    def mark_at(self, symbol: str, time_ms: int) -> Decimal:
        """The mark price in force at ``time_ms`` (the initial one before any change)."""
        history = self._history[symbol]
        i = bisect.bisect_right(history, time_ms, key=lambda item: item[0])
        return history[i - 1][1] if i else self.symbols[symbol].initial_mark

    def marks_between(self, symbol: str, start_ms: int, end_ms: int) -> list[Decimal]:
        """Mark prices set with ``start_ms <= time <= end_ms``."""
        history = self._history[symbol]
        lo = bisect.bisect_left(history, start_ms, key=lambda item: item[0])
        hi = bisect.bisect_right(history, end_ms, key=lambda item: item[0])
        return [price for _, price in history[lo:hi]]

    def exchange_info(
        self, *, rate_limits: list[dict[str, object]], server_time_ms: int
    ) -> dict[str, object]:
        """The GET /fapi/v1/exchangeInfo body."""
        return {
            "timezone": "UTC",
            "serverTime": server_time_ms,
            "futuresType": "U_MARGINED",
            "rateLimits": rate_limits,
            "exchangeFilters": [],
            "assets": [
                {"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "-10000"},
            ],
            "symbols": [s.info() for s in self.symbols.values()],
        }
