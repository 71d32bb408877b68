"""binance_async: an asyncio-native trading gateway to Binance USDⓈ-M futures and Spot.

The public surface is the sorted ``__all__`` below. Names load on first use, so
``import binance_async`` costs little until a client is built.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import errors as _errors  # small, and only the standard library: no cost to load

if TYPE_CHECKING:
    from .budget import BudgetStore, MemoryBudgetStore
    from .client import ClientState, ClientStats
    from .clock import ServerClock
    from .config import ClientConfig, RetryConfig
    from .errors import (
        AlgoOrderRequired,
        APIError,
        BadRequest,
        BinanceError,
        CancelRejected,
        DeadlineExceeded,
        DuplicateClientOrderId,
        ExecutionUnknown,
        FilterRejected,
        FilterViolation,
        InsufficientMargin,
        InternalError,
        InvalidRequest,
        InvalidSignature,
        InvalidTimestamp,
        IPBanned,
        MalformedAnswer,
        NoSuchOrder,
        OrderRejected,
        RateLimited,
        RequestInfo,
        RequestTimeout,
        ServerBusy,
        ServiceUnavailable,
        Throttled,
        TransportError,
        Unauthorized,
        UnexpectedRedirect,
        UnknownOutcome,
        UnknownSymbol,
    )
    from .models.account import (
        AccountAsset,
        AccountConfig,
        AccountInfo,
        AdlQuantile,
        Balance,
        CommissionRate,
        Income,
        LeverageBracket,
        LeverageChange,
        NotionalBracket,
        Position,
        PositionMarginChange,
        SymbolConfig,
    )
    from .models.events import DepthUpdate, Liquidation, MiniTicker, RawEvent, StreamGap, Ticker
    from .models.exchange import ExchangeInfo, SymbolInfo
    from .models.market import (
        AggTrade,
        BookTicker,
        Depth,
        FundingRate,
        Kline,
        MarkPrice,
        OpenInterest,
        PriceTicker,
        Ticker24h,
        Trade,
    )
    from .models.orders import AlgoOrder, Order, UserTrade
    from .models.spotaccount import (
        CommissionDiscount,
        CommissionRates,
        FeeRates,
        OrderCountUsage,
        PreventedMatch,
        SpotAccount,
        SpotBalance,
        SpotTrade,
    )
    from .models.spotevents import AvgPriceEvent, TradeEvent
    from .models.spotmarket import AvgPrice, SpotMiniTicker, SpotSymbolInfo
    from .models.spotorders import (
        CancelReplaceResult,
        OrderList,
        OrderListItem,
        Refusal,
        SpotFill,
        SpotOrder,
    )
    from .models.spotuserevents import (
        AccountPosition,
        AssetBalance,
        EventStreamTerminated,
        ExecutionReport,
        ListStatus,
        ListStatusOrder,
        SpotBalanceUpdate,
    )
    from .models.userevents import (
        AccountConfigUpdate,
        AccountUpdate,
        AlgoUpdate,
        BalanceUpdate,
        MarginCall,
        OrderUpdate,
        PositionUpdate,
        TradeLite,
    )
    from .ratelimits import LimitsSnapshot, WindowState
    from .reconcile import InterruptedOrder
    from .spot import Spot
    from .streams.book import OrderBook
    from .streams.market import MarketStream, StreamStats
    from .streams.mirror import AccountMirror
    from .streams.user import UserDataStream, UserStats
    from .usdm import UMFutures
    from .usdm.deadman import DeadMansSwitch
    from .usdm.wsapi import WsApi
    from .venues.spot import SPOT_PRODUCTION_URL, SPOT_TESTNET_URL
    from .venues.usdm import USDM_PRODUCTION_URL, USDM_TESTNET_URL
    from .wsapi import WsApiStats

__version__ = "0.2.0.dev0"

#: The errors module's names that are not public.
_ERRORS_PRIVATE = frozenset({"CodeTable", "api_error"})
#: Public name -> the module that defines it (one import path per name).
_WHERE: dict[str, str] = {
    **dict.fromkeys(set(_errors.__all__) - _ERRORS_PRIVATE, "errors"),
    **dict.fromkeys(
        (
            "AccountAsset",
            "AccountConfig",
            "AccountInfo",
            "AdlQuantile",
            "Balance",
            "CommissionRate",
            "Income",
            "LeverageBracket",
            "LeverageChange",
            "NotionalBracket",
            "Position",
            "PositionMarginChange",
            "SymbolConfig",
        ),
        "models.account",
    ),
    **dict.fromkeys(
        (
            "AggTrade",
            "BookTicker",
            "Depth",
            "FundingRate",
            "Kline",
            "MarkPrice",
            "OpenInterest",
            "PriceTicker",
            "Ticker24h",
            "Trade",
        ),
        "models.market",
    ),
    **dict.fromkeys(("AlgoOrder", "Order", "UserTrade"), "models.orders"),
    **dict.fromkeys(
        ("DepthUpdate", "Liquidation", "MiniTicker", "RawEvent", "StreamGap", "Ticker"),
        "models.events",
    ),
    **dict.fromkeys(
        (
            "AccountConfigUpdate",
            "AccountUpdate",
            "AlgoUpdate",
            "BalanceUpdate",
            "MarginCall",
            "OrderUpdate",
            "PositionUpdate",
            "TradeLite",
        ),
        "models.userevents",
    ),
    "AccountMirror": "streams.mirror",
    "MarketStream": "streams.market",
    "OrderBook": "streams.book",
    "StreamStats": "streams.market",
    "UserDataStream": "streams.user",
    "UserStats": "streams.user",
    **dict.fromkeys(
        (
            "CommissionDiscount",
            "CommissionRates",
            "FeeRates",
            "OrderCountUsage",
            "PreventedMatch",
            "SpotAccount",
            "SpotBalance",
            "SpotTrade",
        ),
        "models.spotaccount",
    ),
    **dict.fromkeys(("AvgPrice", "SpotMiniTicker", "SpotSymbolInfo"), "models.spotmarket"),
    **dict.fromkeys(("AvgPriceEvent", "TradeEvent"), "models.spotevents"),
    **dict.fromkeys(
        ("CancelReplaceResult", "OrderList", "OrderListItem", "Refusal", "SpotFill", "SpotOrder"),
        "models.spotorders",
    ),
    **dict.fromkeys(
        (
            "AccountPosition",
            "AssetBalance",
            "EventStreamTerminated",
            "ExecutionReport",
            "ListStatus",
            "ListStatusOrder",
            "SpotBalanceUpdate",
        ),
        "models.spotuserevents",
    ),
    "Spot": "spot",
    "SPOT_PRODUCTION_URL": "venues.spot",
    "SPOT_TESTNET_URL": "venues.spot",
    **dict.fromkeys(("ExchangeInfo", "SymbolInfo"), "models.exchange"),
    "DeadMansSwitch": "usdm.deadman",
    "BudgetStore": "budget",
    "ClientConfig": "config",
    "ClientState": "client",
    "ClientStats": "client",
    "InterruptedOrder": "reconcile",
    "LimitsSnapshot": "ratelimits",
    "MemoryBudgetStore": "budget",
    "RetryConfig": "config",
    "ServerClock": "clock",
    "UMFutures": "usdm",
    "WsApi": "usdm.wsapi",
    "WsApiStats": "wsapi",
    "USDM_PRODUCTION_URL": "venues.usdm",
    "USDM_TESTNET_URL": "venues.usdm",
    "WindowState": "ratelimits",
}

__all__ = [
    "SPOT_PRODUCTION_URL",
    "SPOT_TESTNET_URL",
    "USDM_PRODUCTION_URL",
    "USDM_TESTNET_URL",
    "APIError",
    "AccountAsset",
    "AccountConfig",
    "AccountConfigUpdate",
    "AccountInfo",
    "AccountMirror",
    "AccountPosition",
    "AccountUpdate",
    "AdlQuantile",
    "AggTrade",
    "AlgoOrder",
    "AlgoOrderRequired",
    "AlgoUpdate",
    "AssetBalance",
    "AvgPrice",
    "AvgPriceEvent",
    "BadRequest",
    "Balance",
    "BalanceUpdate",
    "BinanceError",
    "BookTicker",
    "BudgetStore",
    "CancelRejected",
    "CancelReplaceResult",
    "ClientConfig",
    "ClientState",
    "ClientStats",
    "CommissionDiscount",
    "CommissionRate",
    "CommissionRates",
    "DeadMansSwitch",
    "DeadlineExceeded",
    "Depth",
    "DepthUpdate",
    "DuplicateClientOrderId",
    "EventStreamTerminated",
    "ExchangeInfo",
    "ExecutionReport",
    "ExecutionUnknown",
    "FeeRates",
    "FilterRejected",
    "FilterViolation",
    "FundingRate",
    "IPBanned",
    "Income",
    "InsufficientMargin",
    "InternalError",
    "InterruptedOrder",
    "InvalidRequest",
    "InvalidSignature",
    "InvalidTimestamp",
    "Kline",
    "LeverageBracket",
    "LeverageChange",
    "LimitsSnapshot",
    "Liquidation",
    "ListStatus",
    "ListStatusOrder",
    "MalformedAnswer",
    "MarginCall",
    "MarkPrice",
    "MarketStream",
    "MemoryBudgetStore",
    "MiniTicker",
    "NoSuchOrder",
    "NotionalBracket",
    "OpenInterest",
    "Order",
    "OrderBook",
    "OrderCountUsage",
    "OrderList",
    "OrderListItem",
    "OrderRejected",
    "OrderUpdate",
    "Position",
    "PositionMarginChange",
    "PositionUpdate",
    "PreventedMatch",
    "PriceTicker",
    "RateLimited",
    "RawEvent",
    "Refusal",
    "RequestInfo",
    "RequestTimeout",
    "RetryConfig",
    "ServerBusy",
    "ServerClock",
    "ServiceUnavailable",
    "Spot",
    "SpotAccount",
    "SpotBalance",
    "SpotBalanceUpdate",
    "SpotFill",
    "SpotMiniTicker",
    "SpotOrder",
    "SpotSymbolInfo",
    "SpotTrade",
    "StreamGap",
    "StreamStats",
    "SymbolConfig",
    "SymbolInfo",
    "Throttled",
    "Ticker",
    "Ticker24h",
    "Trade",
    "TradeEvent",
    "TradeLite",
    "TransportError",
    "UMFutures",
    "Unauthorized",
    "UnexpectedRedirect",
    "UnknownOutcome",
    "UnknownSymbol",
    "UserDataStream",
    "UserStats",
    "UserTrade",
    "WindowState",
    "WsApi",
    "WsApiStats",
    "__version__",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'binance_async' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
