"""Spot symbols and their filters, checked the way the API checks them (``-1013 Filter
failure: NAME``), and their exchangeInfo entries.

Filter values are Binance's own for BTCUSDT, ETHUSDT and ETHBTC at the time of writing
(rounded); a zero bound or step disables that rule, as PRICE_FILTER documents.
"""

from __future__ import annotations

import math
from decimal import Decimal

import attrs

from ..errors import ApiError, bad_symbol

__all__ = [
    "ALGO_TYPES",
    "ORDER_TYPES",
    "STP_MODES",
    "SpotSymbol",
    "SpotSymbols",
    "decimals",
    "default_spot_symbols",
    "filter_failure",
    "fmt8",
]

ORDER_TYPES = (
    "LIMIT",
    "LIMIT_MAKER",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
)
#: "Algo" orders for MAX_NUM_ALGO_ORDERS: the stop and take-profit types.
ALGO_TYPES = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})
STP_MODES = ("NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT")
_ZERO = Decimal(0)


def fmt8(value: Decimal) -> str:
    """A Spot amount as the API prints it: eight decimals (``"0.10000000"``)."""
    return f"{value:.8f}"


def decimals(value: Decimal) -> int:
    """Decimals of ``value`` once trailing zeros are dropped ("0.0100" has 2)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def filter_failure(name: str) -> ApiError:
    """-1013 ``Filter failure: NAME`` (errors.md, "Filter failures")."""
    return ApiError(-1013, f"Filter failure: {name}")


def _on_step(value: Decimal, low: Decimal, step: Decimal) -> bool:
    return not step or (value - low) % step == 0


@attrs.frozen(kw_only=True)
class SpotSymbol:
    """One Spot symbol and its filters."""

    symbol: str
    base_asset: str
    quote_asset: str
    initial_price: Decimal
    min_price: Decimal
    max_price: Decimal
    tick_size: Decimal
    min_qty: Decimal
    max_qty: Decimal
    step_size: Decimal
    market_min_qty: Decimal = _ZERO
    market_max_qty: Decimal
    market_step_size: Decimal = _ZERO
    min_notional: Decimal
    max_notional: Decimal
    apply_min_to_market: bool = True
    apply_max_to_market: bool = False
    avg_price_mins: int = 5
    bid_multiplier_up: Decimal = Decimal(5)
    bid_multiplier_down: Decimal = Decimal("0.2")
    ask_multiplier_up: Decimal = Decimal(5)
    ask_multiplier_down: Decimal = Decimal("0.2")
    iceberg_parts: int = 100
    max_num_orders: int = 200
    max_num_algo_orders: int = 5
    min_trailing_above_delta: int = 10
    max_trailing_above_delta: int = 2000
    min_trailing_below_delta: int = 10
    max_trailing_below_delta: int = 2000
    #: Decimals a price or quantity may have (baseAssetPrecision / quoteAssetPrecision).
    precision: int = 8

    # -- checks -----------------------------------------------------------------------------

    def check_precision(self, name: str, value: Decimal) -> None:
        """-1111: more decimals than the assets' precision."""
        if decimals(value) > self.precision:
            raise ApiError(-1111, f"Parameter '{name}' has too much precision.")

    def check_price(self, price: Decimal) -> None:
        """PRICE_FILTER on a ``price`` or ``stopPrice``."""
        if (
            price <= 0
            or (self.min_price and price < self.min_price)
            or (self.max_price and price > self.max_price)
            or not _on_step(price, self.min_price, self.tick_size)
        ):
            raise filter_failure("PRICE_FILTER")

    def check_lot(self, qty: Decimal, *, market: bool) -> None:
        """LOT_SIZE (a ``quantity`` or ``icebergQty``); MARKET_LOT_SIZE too for market ones."""
        if (
            qty < self.min_qty
            or (self.max_qty and qty > self.max_qty)
            or not _on_step(qty, self.min_qty, self.step_size)
        ):
            raise filter_failure("LOT_SIZE")
        if market and (
            qty < self.market_min_qty
            or (self.market_max_qty and qty > self.market_max_qty)
            or not _on_step(qty, self.market_min_qty, self.market_step_size)
        ):
            raise filter_failure("MARKET_LOT_SIZE")

    def check_percent_price(self, side: str, price: Decimal, average: Decimal) -> None:
        """PERCENT_PRICE_BY_SIDE against the average price."""
        if side == "BUY":
            low, high = self.bid_multiplier_down, self.bid_multiplier_up
        else:
            low, high = self.ask_multiplier_down, self.ask_multiplier_up
        if not average * low <= price <= average * high:
            raise filter_failure("PERCENT_PRICE_BY_SIDE")

    def check_notional(self, notional: Decimal, *, market: bool) -> None:
        """NOTIONAL: ``minNotional`` (for market orders only with applyMinToMarket) and
        ``maxNotional`` (applyMaxToMarket)."""
        if notional <= 0:
            raise ApiError(-1013, "Price * QTY is zero or less.")
        if (not market or self.apply_min_to_market) and notional < self.min_notional:
            raise filter_failure("NOTIONAL")
        if (not market or self.apply_max_to_market) and notional > self.max_notional:
            raise filter_failure("NOTIONAL")

    def check_iceberg(self, qty: Decimal, iceberg: Decimal) -> None:
        """``IcebergQty exceeds QTY.``; LOT_SIZE on the slice; ICEBERG_PARTS."""
        if iceberg >= qty:
            raise ApiError(-1013, "IcebergQty exceeds QTY.")
        self.check_lot(iceberg, market=False)
        if math.ceil(qty / iceberg) > self.iceberg_parts:
            raise filter_failure("ICEBERG_PARTS")

    def check_trailing(self, order_type: str, side: str, delta: int) -> None:
        """TRAILING_DELTA: the "above" range for STOP_LOSS BUY and TAKE_PROFIT SELL (and their
        LIMIT forms), the "below" range for the others."""
        above = (order_type.startswith("STOP_LOSS")) == (side == "BUY")
        low, high = (
            (self.min_trailing_above_delta, self.max_trailing_above_delta)
            if above
            else (self.min_trailing_below_delta, self.max_trailing_below_delta)
        )
        if not low <= delta <= high:
            raise filter_failure("TRAILING_DELTA")

    def step_down(self, qty: Decimal) -> Decimal:
        """``qty`` rounded down to LOT_SIZE's step (quoteOrderQty market orders)."""
        step = self.step_size
        return qty if not step else (qty - self.min_qty) // step * step + self.min_qty

    # -- exchangeInfo -----------------------------------------------------------------------

    def filters(self) -> list[dict[str, object]]:
        """The symbol's filters as exchangeInfo lists them."""
        return [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": fmt8(self.min_price),
                "maxPrice": fmt8(self.max_price),
                "tickSize": fmt8(self.tick_size),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": fmt8(self.min_qty),
                "maxQty": fmt8(self.max_qty),
                "stepSize": fmt8(self.step_size),
            },
            {"filterType": "ICEBERG_PARTS", "limit": self.iceberg_parts},
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": fmt8(self.market_min_qty),
                "maxQty": fmt8(self.market_max_qty),
                "stepSize": fmt8(self.market_step_size),
            },
            {
                "filterType": "TRAILING_DELTA",
                "minTrailingAboveDelta": self.min_trailing_above_delta,
                "maxTrailingAboveDelta": self.max_trailing_above_delta,
                "minTrailingBelowDelta": self.min_trailing_below_delta,
                "maxTrailingBelowDelta": self.max_trailing_below_delta,
            },
            {
                "filterType": "PERCENT_PRICE_BY_SIDE",
                "bidMultiplierUp": str(self.bid_multiplier_up),
                "bidMultiplierDown": str(self.bid_multiplier_down),
                "askMultiplierUp": str(self.ask_multiplier_up),
                "askMultiplierDown": str(self.ask_multiplier_down),
                "avgPriceMins": self.avg_price_mins,
            },
            {
                "filterType": "NOTIONAL",
                "minNotional": fmt8(self.min_notional),
                "applyMinToMarket": self.apply_min_to_market,
                "maxNotional": fmt8(self.max_notional),
                "applyMaxToMarket": self.apply_max_to_market,
                "avgPriceMins": self.avg_price_mins,
            },
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": self.max_num_orders},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": self.max_num_algo_orders},
        ]

    def info(self) -> dict[str, object]:
        """The symbol's entry in exchangeInfo."""
        return {
            "symbol": self.symbol,
            "status": "TRADING",
            "baseAsset": self.base_asset,
            "baseAssetPrecision": self.precision,
            "quoteAsset": self.quote_asset,
            "quotePrecision": self.precision,
            "quoteAssetPrecision": self.precision,
            "baseCommissionPrecision": self.precision,
            "quoteCommissionPrecision": self.precision,
            "orderTypes": list(ORDER_TYPES),
            "icebergAllowed": True,
            "ocoAllowed": True,
            "otoAllowed": True,
            "opoAllowed": False,
            "quoteOrderQtyMarketAllowed": True,
            "allowTrailingStop": True,
            "cancelReplaceAllowed": True,
            "amendAllowed": False,
            "pegInstructionsAllowed": False,
            "isSpotTradingAllowed": True,
            "isMarginTradingAllowed": False,
            "filters": self.filters(),
            "permissions": [],
            "permissionSets": [["SPOT"]],
            "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
            "allowedSelfTradePreventionModes": list(STP_MODES),
        }


def default_spot_symbols() -> tuple[SpotSymbol, ...]:
    """BTCUSDT, ETHUSDT and ETHBTC."""
    d = Decimal
    return (
        SpotSymbol(
            symbol="BTCUSDT",
            base_asset="BTC",
            quote_asset="USDT",
            initial_price=d("50000"),
            min_price=d("0.01"),
            max_price=d("1000000"),
            tick_size=d("0.01"),
            min_qty=d("0.00001"),
            max_qty=d("9000"),
            step_size=d("0.00001"),
            market_max_qty=d("120"),
            min_notional=d("5"),
            max_notional=d("9000000"),
        ),
        SpotSymbol(
            symbol="ETHUSDT",
            base_asset="ETH",
            quote_asset="USDT",
            initial_price=d("3000"),
            min_price=d("0.01"),
            max_price=d("1000000"),
            tick_size=d("0.01"),
            min_qty=d("0.0001"),
            max_qty=d("9000"),
            step_size=d("0.0001"),
            market_max_qty=d("2500"),
            min_notional=d("5"),
            max_notional=d("9000000"),
        ),
        SpotSymbol(
            symbol="ETHBTC",
            base_asset="ETH",
            quote_asset="BTC",
            initial_price=d("0.06"),
            min_price=d("0.00001"),
            max_price=d("922327"),
            tick_size=d("0.00001"),
            min_qty=d("0.0001"),
            max_qty=d("100000"),
            step_size=d("0.0001"),
            market_max_qty=d("2000"),
            min_notional=d("0.0001"),
            max_notional=d("9000000"),
            max_num_algo_orders=5,
        ),
    )


class SpotSymbols:
    """Symbols by name."""

    def __init__(self, symbols: tuple[SpotSymbol, ...] | None = None) -> None:
        specs = default_spot_symbols() if symbols is None else symbols
        self.by_name: dict[str, SpotSymbol] = {s.symbol: s for s in specs}

    def get(self, symbol: str | None) -> SpotSymbol:
        """The symbol, or -1121."""
        spec = self.by_name.get(symbol or "")
        if spec is None:
            raise bad_symbol()
        return spec
