"""Spot's route table (``/api/v3``) and its :class:`~binance_async.testing.server.Venue`.

Weights are those of Binance's Spot REST docs (market data, trading and account pages):
parameter-dependent for depth (limit), the tickers (symbols), openOrders (symbol), myTrades
(orderId), myPreventedMatches (how it is queried) and order/test (computeCommissionRates).
TRADE and USER_DATA are SIGNED; historicalTrades needs no key (the docs dropped MARKET_DATA).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .. import marketdata as futures_md
from ..call import Call, Handler
from ..errors import ApiError
from ..ratelimit import LimitWindow, RateLimiter
from ..routes import Route, Security
from ..server import Venue
from ..state import ExchangeState
from . import account as ac
from . import marketdata as md
from . import orderlists as ol
from . import trading as tr
from .marketdata import symbols_count
from .timing import check_spot_timing

__all__ = ["SPOT", "SPOT_ORDER_COUNTS", "SPOT_ROUTES"]

_V3 = "/api/v3"
_S: Security = "SIGNED"


def _depth_weight(params: Mapping[str, str]) -> int:
    raw = params.get("limit") or "100"
    limit = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 100
    return 5 if limit <= 100 else 25 if limit <= 500 else 50 if limit <= 1000 else 250


def _ticker_24hr_weight(params: Mapping[str, str]) -> int:
    count = symbols_count(params)
    if count is None:
        return 80
    return 2 if count <= 20 else 40 if count <= 100 else 80


def _one_or_all(one: int, every: int) -> Callable[[Mapping[str, str]], int]:
    def weight(params: Mapping[str, str]) -> int:
        return one if "symbol" in params else every

    return weight


def _rolling_weight(params: Mapping[str, str]) -> int:
    count = symbols_count(params) or 1
    return 200 if count > 50 else 4 * count


def _test_weight(params: Mapping[str, str]) -> int:
    return 20 if (params.get("computeCommissionRates") or "").lower() == "true" else 1


def _my_trades_weight(params: Mapping[str, str]) -> int:
    return 5 if "orderId" in params else 20


def _prevented_weight(params: Mapping[str, str]) -> int:
    return 20 if "orderId" in params and "preventedMatchId" not in params else 2


def _counted(orders: int, handler: Handler) -> Handler:
    """A placement refused does not count: give back what admission counted."""

    def counted(call: Call) -> object:
        try:
            return handler(call)
        except ApiError:
            limiter = call.state.spot.exchange.limiter
            limiter.refund_orders(call.account, limiter.spot_costs(orders), call.now_ms)
            raise

    return counted


_CANCEL_REPLACE = ("POST", f"{_V3}/order/cancelReplace")
#: (METHOD, path) -> unfilled orders one request adds (the docs' "Unfilled Order Count").
SPOT_ORDER_COUNTS: dict[tuple[str, str], int] = {
    ("POST", f"{_V3}/order"): 1,
    ("POST", f"{_V3}/order/cancelReplace"): 1,
    ("POST", f"{_V3}/orderList/oco"): 2,
    ("POST", f"{_V3}/orderList/oto"): 2,
    ("POST", f"{_V3}/orderList/otoco"): 3,
    ("POST", f"{_V3}/order/oco"): 2,
}


def _route(
    method: str,
    path: str,
    handler: Handler,
    weight: int | Callable[[Mapping[str, str]], int],
    security: Security = "NONE",
) -> tuple[tuple[str, str], Route]:
    key = (method, f"{_V3}/{path}")
    orders = SPOT_ORDER_COUNTS.get(key)
    if orders is not None and key != _CANCEL_REPLACE:
        handler = _counted(orders, handler)
    route = Route(
        method=method,
        path=key[1],
        handler=handler,
        weight=weight,
        security=security,
        orders="none" if orders is None else "single",
    )
    return key, route


SPOT_ROUTES: dict[tuple[str, str], Route] = dict(
    [
        # ping and time answer as the futures ones do
        _route("GET", "ping", futures_md.ping, 1),
        _route("GET", "time", futures_md.server_time, 1),
        _route("GET", "exchangeInfo", md.exchange_info, 20),
        _route("GET", "depth", md.depth, _depth_weight),
        _route("GET", "trades", md.trades, 25),
        _route("GET", "historicalTrades", md.historical_trades, 25),
        _route("GET", "aggTrades", md.agg_trades, 4),
        _route("GET", "klines", md.klines, 2),
        _route("GET", "uiKlines", md.klines, 2),
        _route("GET", "avgPrice", md.avg_price, 2),
        _route("GET", "ticker/24hr", md.ticker_24hr, _ticker_24hr_weight),
        _route("GET", "ticker/price", md.ticker_price, _one_or_all(2, 4)),
        _route("GET", "ticker/bookTicker", md.book_ticker, _one_or_all(2, 4)),
        _route("GET", "ticker", md.rolling_ticker, _rolling_weight),
        _route("GET", "ticker/tradingDay", md.trading_day_ticker, _rolling_weight),
        _route("POST", "order", tr.new_order, 1, _S),
        _route("POST", "order/test", tr.test_order, _test_weight, _S),
        _route("GET", "order", tr.query_order, 4, _S),
        _route("DELETE", "order", tr.cancel_order, 1, _S),
        _route("GET", "openOrders", tr.open_orders, _one_or_all(6, 80), _S),
        _route("DELETE", "openOrders", tr.cancel_open_orders, 1, _S),
        _route("GET", "allOrders", tr.all_orders, 20, _S),
        _route("POST", "order/cancelReplace", tr.cancel_replace, 1, _S),
        _route("POST", "orderList/oco", ol.oco, 1, _S),
        _route("POST", "orderList/oto", ol.oto, 1, _S),
        _route("POST", "orderList/otoco", ol.otoco, 1, _S),
        _route("POST", "order/oco", ol.legacy_oco, 1, _S),
        _route("GET", "orderList", ol.query_order_list, 4, _S),
        _route("DELETE", "orderList", ol.cancel_order_list, 1, _S),
        _route("GET", "allOrderList", ol.all_order_lists, 20, _S),
        _route("GET", "openOrderList", ol.open_order_lists, 6, _S),
        _route("GET", "account", ac.account, 20, _S),
        _route("GET", "myTrades", ac.my_trades, _my_trades_weight, _S),
        _route("GET", "myPreventedMatches", ac.prevented_matches, _prevented_weight, _S),
        _route("GET", "account/commission", ac.commission, 20, _S),
        _route("GET", "rateLimit/order", ac.rate_limit_order, 40, _S),
    ]
)


def _limiter(state: ExchangeState) -> RateLimiter:
    return state.spot.exchange.limiter


def _costs(limiter: RateLimiter, route: Route) -> list[tuple[LimitWindow, int]]:
    """What admission counts; cancel-replace counts itself (its CANCEL_ONLY mode)."""
    if route.path == _CANCEL_REPLACE[1]:
        return []
    orders = SPOT_ORDER_COUNTS[(route.method, route.path)]
    return [(window, orders) for window in limiter.order_windows]


#: Spot: its routes, its own ledger of limits and its timing rule.
SPOT = Venue(
    routes=SPOT_ROUTES, limiter=_limiter, check_timing=check_spot_timing, order_costs=_costs
)
