"""The route table: every row of reference/fapi-endpoints.tsv, with its handler, IP weight,
security type, order-count cost and special request bucket.

Where the reference gives two weights (docs against SDK or ccxt) the larger is charged:
historicalTrades 200, fundingRate / fundingInfo / openInterestHist 1 (ccxt) on top of their
buckets. The weights that depend on parameters are functions of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

import attrs

from . import algotrading as al
from . import funding as fu
from . import futuresdata as fd
from . import history as hi
from . import indexdata as ix
from . import klines as kl
from . import marketdata as md
from . import settings as se
from . import tapedata as td
from . import trading as tr
from . import userdata as ud
from .buckets import BucketName
from .call import Handler

__all__ = ["ROUTES", "Route"]

Security = Literal["NONE", "MARKET_DATA", "USER_STREAM", "SIGNED"]
OrderCost = Literal["none", "single", "batch"]
WeightFn = Callable[[Mapping[str, str]], int]

_DEPTH_WEIGHT = {"5": 2, "10": 2, "20": 2, "50": 2, "100": 5, "500": 10, "1000": 20}


def _depth_weight(params: Mapping[str, str]) -> int:
    return _DEPTH_WEIGHT.get(params.get("limit") or "500", 10)


def _klines_weight(params: Mapping[str, str]) -> int:
    """[1, 100) -> 1; [100, 500) -> 2; [500, 1000] -> 5; above -> 10 (default 500 -> 5)."""
    raw = params.get("limit") or "500"
    limit = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 500
    return 1 if limit < 100 else 2 if limit < 500 else 5 if limit <= 1000 else 10


def _by_symbol(with_symbol: int, without: int) -> WeightFn:
    def weight(params: Mapping[str, str]) -> int:
        return with_symbol if params.get("symbol") else without

    return weight


@attrs.frozen(kw_only=True)
class Route:
    """One endpoint of the simulated exchange."""

    method: str
    path: str
    handler: Handler
    weight: int | WeightFn
    security: Security = "NONE"
    #: How the request counts on the account's ORDERS windows.
    orders: OrderCost = "none"
    #: The special per-IP request bucket the endpoint counts in, if any.
    bucket: BucketName | None = None

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
    bucket: BucketName | None = None,
) -> tuple[tuple[str, str], Route]:
    route = Route(
        method=method,
        path=path,
        handler=handler,
        weight=weight,
        security=security,
        orders=orders,
        bucket=bucket,
    )
    return (method, path), route


_S: Security = "SIGNED"
_U: Security = "USER_STREAM"
_M: Security = "MARKET_DATA"
_F: BucketName = "funding"
_D: BucketName = "futures_data"
_V1 = "/fapi/v1"
_DATA = "/futures/data"

_MARKET = [
    _route("GET", f"{_V1}/ping", md.ping, 1),
    _route("GET", f"{_V1}/time", md.server_time, 1),
    _route("GET", f"{_V1}/exchangeInfo", md.exchange_info, 1),
    _route("GET", f"{_V1}/depth", md.depth, _depth_weight),
    _route("GET", f"{_V1}/rpiDepth", md.rpi_depth, 20),
    _route("GET", f"{_V1}/trades", td.trades, 5),
    _route("GET", f"{_V1}/historicalTrades", td.historical_trades, 200, _M),
    _route("GET", f"{_V1}/aggTrades", td.agg_trades, 20),
    _route("GET", f"{_V1}/klines", kl.klines, _klines_weight),
    _route("GET", f"{_V1}/continuousKlines", kl.continuous_klines, _klines_weight),
    _route("GET", f"{_V1}/indexPriceKlines", kl.index_price_klines, _klines_weight),
    _route("GET", f"{_V1}/markPriceKlines", kl.mark_price_klines, _klines_weight),
    _route("GET", f"{_V1}/premiumIndexKlines", kl.premium_index_klines, _klines_weight),
    _route("GET", f"{_V1}/premiumIndex", fu.premium_index, _by_symbol(1, 10)),
    _route("GET", f"{_V1}/fundingRate", fu.funding_rate, 1, bucket=_F),
    _route("GET", f"{_V1}/fundingInfo", fu.funding_info, 1, bucket=_F),
    _route("GET", f"{_V1}/ticker/24hr", md.ticker_24hr, _by_symbol(1, 40)),
    _route("GET", f"{_V1}/ticker/price", md.ticker_price, _by_symbol(1, 2)),
    _route("GET", "/fapi/v2/ticker/price", md.ticker_price, _by_symbol(1, 2)),
    _route("GET", f"{_V1}/ticker/bookTicker", md.book_ticker, _by_symbol(2, 5)),
    _route("GET", f"{_V1}/openInterest", fu.open_interest, 1),
    _route("GET", f"{_DATA}/openInterestHist", fd.open_interest_hist, 1, bucket=_D),
    _route("GET", f"{_DATA}/topLongShortPositionRatio", fd.top_position_ratio, 0, bucket=_D),
    _route("GET", f"{_DATA}/topLongShortAccountRatio", fd.top_account_ratio, 0, bucket=_D),
    _route("GET", f"{_DATA}/globalLongShortAccountRatio", fd.global_ratio, 0, bucket=_D),
    _route("GET", f"{_DATA}/takerlongshortRatio", fd.taker_ratio, 0, bucket=_D),
    _route("GET", f"{_DATA}/basis", fd.basis, 0, bucket=_D),
    _route("GET", f"{_DATA}/delivery-price", fd.delivery_price, 0, bucket=_D),
    _route("GET", f"{_V1}/indexInfo", ix.index_info, 1),
    _route("GET", f"{_V1}/assetIndex", ix.asset_index, _by_symbol(1, 10)),
    _route("GET", f"{_V1}/constituents", ix.constituents, 2),
    _route("GET", f"{_V1}/insuranceBalance", ix.insurance_balance, 1),
    _route("GET", f"{_V1}/symbolAdlRisk", ix.symbol_adl_risk, 1),
]
_TRADE = [
    _route("POST", f"{_V1}/order", tr.new_order, 0, _S, "single"),
    _route("POST", f"{_V1}/order/test", tr.test_order, 1, _S),
    _route("PUT", f"{_V1}/order", tr.modify_order, 0, _S, "single"),
    _route("DELETE", f"{_V1}/order", tr.cancel_order, 1, _S),
    _route("GET", f"{_V1}/order", tr.query_order, 1, _S),
    _route("POST", f"{_V1}/batchOrders", tr.batch_place, 5, _S, "batch"),
    _route("PUT", f"{_V1}/batchOrders", tr.batch_modify, 5, _S, "batch"),
    _route("DELETE", f"{_V1}/batchOrders", tr.batch_cancel, 1, _S),
    _route("DELETE", f"{_V1}/allOpenOrders", tr.cancel_all, 1, _S),
    _route("POST", f"{_V1}/countdownCancelAll", tr.countdown_cancel_all, 10, _S),
    _route("GET", f"{_V1}/openOrder", tr.query_open_order, 1, _S),
    _route("GET", f"{_V1}/openOrders", tr.open_orders, _by_symbol(1, 40), _S),
    _route("GET", f"{_V1}/allOrders", tr.all_orders, 5, _S),
    _route("GET", f"{_V1}/forceOrders", hi.force_orders, _by_symbol(20, 50), _S),
    _route("GET", f"{_V1}/userTrades", hi.user_trades, 5, _S),
    _route("GET", f"{_V1}/orderAmendment", hi.order_amendment, 1, _S),
    _route("POST", f"{_V1}/algoOrder", al.new_algo_order, 0, _S, "single"),
    _route("DELETE", f"{_V1}/algoOrder", al.cancel_algo_order, 1, _S),
    _route("GET", f"{_V1}/algoOrder", al.query_algo_order, 1, _S),
    _route("DELETE", f"{_V1}/algoOpenOrders", al.cancel_all_algo_orders, 1, _S),
    _route("GET", f"{_V1}/openAlgoOrders", al.open_algo_orders, _by_symbol(1, 40), _S),
    _route("GET", f"{_V1}/allAlgoOrders", al.all_algo_orders, 5, _S),
]
_ACCOUNT = [
    _route("POST", f"{_V1}/positionSide/dual", se.set_position_mode, 1, _S),
    _route("GET", f"{_V1}/positionSide/dual", se.position_mode, 30, _S),
    _route("POST", f"{_V1}/multiAssetsMargin", se.set_multi_assets, 1, _S),
    _route("GET", f"{_V1}/multiAssetsMargin", se.multi_assets, 30, _S),
    _route("POST", f"{_V1}/leverage", se.leverage, 1, _S),
    _route("POST", f"{_V1}/marginType", se.margin_type, 1, _S),
    _route("POST", f"{_V1}/positionMargin", se.position_margin, 1, _S),
    _route("GET", f"{_V1}/positionMargin/history", se.position_margin_history, 1, _S),
    _route("GET", "/fapi/v2/positionRisk", ud.position_risk_v2, 5, _S),
    _route("GET", "/fapi/v3/positionRisk", ud.position_risk_v3, 5, _S),
    _route("GET", f"{_V1}/adlQuantile", se.adl_quantile, 5, _S),
    _route("GET", f"{_V1}/commissionRate", se.commission_rate, 20, _S),
    _route("GET", "/fapi/v2/account", ud.account_v2, 5, _S),
    _route("GET", "/fapi/v3/account", ud.account_v3, 5, _S),
    _route("GET", "/fapi/v2/balance", ud.balance, 5, _S),
    _route("GET", "/fapi/v3/balance", ud.balance, 5, _S),
    _route("GET", f"{_V1}/income", hi.income, 30, _S),
    _route("GET", f"{_V1}/leverageBracket", se.leverage_bracket, 1, _S),
    _route("GET", f"{_V1}/apiTradingStatus", se.api_trading_status, _by_symbol(1, 10), _S),
    _route("GET", f"{_V1}/rateLimit/order", ud.order_rate_limits, 1, _S),
    _route("GET", f"{_V1}/accountConfig", se.account_config, 5, _S),
    _route("GET", f"{_V1}/symbolConfig", se.symbol_config, 5, _S),
    _route("GET", f"{_V1}/feeBurn", se.fee_burn, 30, _S),
    _route("POST", f"{_V1}/feeBurn", se.set_fee_burn, 1, _S),
    _route("POST", f"{_V1}/listenKey", ud.listen_key_new, 1, _U),
    _route("PUT", f"{_V1}/listenKey", ud.listen_key_keepalive, 1, _U),
    _route("DELETE", f"{_V1}/listenKey", ud.listen_key_close, 1, _U),
]

ROUTES: dict[tuple[str, str], Route] = dict(_MARKET + _TRADE + _ACCOUNT)
