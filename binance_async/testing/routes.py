"""The route table: per (method, path) its handler, weight, security and order-count cost."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

import attrs

from . import marketdata as md
from . import trading as tr
from . import userdata as ud
from .call import Handler

__all__ = ["ROUTES", "Route"]

Security = Literal["NONE", "USER_STREAM", "SIGNED"]
OrderCost = Literal["none", "single", "batch"]
WeightFn = Callable[[Mapping[str, str]], int]

_DEPTH_WEIGHT = {"5": 2, "10": 2, "20": 2, "50": 2, "100": 5, "500": 10, "1000": 20}


def _depth_weight(params: Mapping[str, str]) -> int:
    return _DEPTH_WEIGHT.get(params.get("limit") or "500", 10)


def _by_symbol(with_symbol: int, without: int) -> WeightFn:
    def weight(params: Mapping[str, str]) -> int:
        return with_symbol if params.get("symbol") else without

    return weight


@attrs.frozen(kw_only=True)
class Route:
    """One endpoint of the simulated exchange (weights from reference/fapi-endpoints.tsv)."""

    method: str
    path: str
    handler: Handler
    weight: int | WeightFn
    security: Security = "NONE"
    #: How the request counts on the account's ORDERS windows.
    orders: OrderCost = "none"

    def weight_for(self, params: Mapping[str, str]) -> int:
        """IP weight of this request."""
        weight = self.weight
        return weight if isinstance(weight, int) else weight(params)


def _route(
    method: str,
    path: str,
    handler: Handler,
    weight: int | WeightFn,
    security: Security = "NONE",
    orders: OrderCost = "none",
) -> tuple[tuple[str, str], Route]:
    route = Route(
        method=method, path=path, handler=handler, weight=weight, security=security, orders=orders
    )
    return (method, path), route


_S: Security = "SIGNED"
_U: Security = "USER_STREAM"

ROUTES: dict[tuple[str, str], Route] = dict(
    [
        _route("GET", "/fapi/v1/ping", md.ping, 1),
        _route("GET", "/fapi/v1/time", md.server_time, 1),
        _route("GET", "/fapi/v1/exchangeInfo", md.exchange_info, 1),
        _route("GET", "/fapi/v1/depth", md.depth, _depth_weight),
        _route("GET", "/fapi/v1/ticker/price", md.ticker_price, _by_symbol(1, 2)),
        _route("GET", "/fapi/v2/ticker/price", md.ticker_price, _by_symbol(1, 2)),
        _route("GET", "/fapi/v1/ticker/bookTicker", md.book_ticker, _by_symbol(2, 5)),
        _route("POST", "/fapi/v1/order", tr.new_order, 0, _S, "single"),
        _route("POST", "/fapi/v1/order/test", tr.test_order, 1, _S),
        _route("PUT", "/fapi/v1/order", tr.modify_order, 0, _S, "single"),
        _route("DELETE", "/fapi/v1/order", tr.cancel_order, 1, _S),
        _route("GET", "/fapi/v1/order", tr.query_order, 1, _S),
        _route("GET", "/fapi/v1/openOrder", tr.query_open_order, 1, _S),
        _route("GET", "/fapi/v1/openOrders", tr.open_orders, _by_symbol(1, 40), _S),
        _route("GET", "/fapi/v1/allOrders", tr.all_orders, 5, _S),
        _route("DELETE", "/fapi/v1/allOpenOrders", tr.cancel_all, 1, _S),
        _route("POST", "/fapi/v1/batchOrders", tr.batch_place, 5, _S, "batch"),
        _route("PUT", "/fapi/v1/batchOrders", tr.batch_modify, 5, _S, "batch"),
        _route("DELETE", "/fapi/v1/batchOrders", tr.batch_cancel, 1, _S),
        _route("POST", "/fapi/v1/leverage", tr.leverage, 1, _S),
        _route("GET", "/fapi/v2/account", ud.account_v2, 5, _S),
        _route("GET", "/fapi/v3/account", ud.account_v3, 5, _S),
        _route("GET", "/fapi/v2/balance", ud.balance, 5, _S),
        _route("GET", "/fapi/v3/balance", ud.balance, 5, _S),
        _route("GET", "/fapi/v2/positionRisk", ud.position_risk_v2, 5, _S),
        _route("GET", "/fapi/v3/positionRisk", ud.position_risk_v3, 5, _S),
        _route("GET", "/fapi/v1/positionSide/dual", ud.position_mode, 30, _S),
        _route("GET", "/fapi/v1/rateLimit/order", ud.order_rate_limits, 1, _S),
        _route("POST", "/fapi/v1/listenKey", ud.listen_key_new, 1, _U),
        _route("PUT", "/fapi/v1/listenKey", ud.listen_key_keepalive, 1, _U),
        _route("DELETE", "/fapi/v1/listenKey", ud.listen_key_close, 1, _U),
    ]
)
