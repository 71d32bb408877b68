"""binance_async: an asyncio-native trading gateway to Binance USDⓈ-M futures."""

from __future__ import annotations

from .clock import ServerClock
from .config import USDM_PRODUCTION_URL, USDM_TESTNET_URL, ClientConfig, RetryConfig
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
    NoSuchOrder,
    OrderRejected,
    RateLimited,
    RequestTimeout,
    ServerBusy,
    ServiceUnavailable,
    Throttled,
    TransportError,
    Unauthorized,
    UnknownOutcome,
    UnknownSymbol,
)
from .limits import LimitsSnapshot
from .models import AccountInfo, Balance, ExchangeInfo, Order, Position, SymbolInfo
from .usdm import UMFutures

__version__ = "0.1.0"

__all__ = [
    "USDM_PRODUCTION_URL",
    "USDM_TESTNET_URL",
    "APIError",
    "AccountInfo",
    "AlgoOrderRequired",
    "BadRequest",
    "Balance",
    "BinanceError",
    "CancelRejected",
    "ClientConfig",
    "DeadlineExceeded",
    "DuplicateClientOrderId",
    "ExchangeInfo",
    "ExecutionUnknown",
    "FilterRejected",
    "FilterViolation",
    "IPBanned",
    "InsufficientMargin",
    "InternalError",
    "InvalidRequest",
    "InvalidSignature",
    "InvalidTimestamp",
    "LimitsSnapshot",
    "NoSuchOrder",
    "Order",
    "OrderRejected",
    "Position",
    "RateLimited",
    "RequestTimeout",
    "RetryConfig",
    "ServerBusy",
    "ServerClock",
    "ServiceUnavailable",
    "SymbolInfo",
    "Throttled",
    "TransportError",
    "UMFutures",
    "Unauthorized",
    "UnknownOutcome",
    "UnknownSymbol",
    "__version__",
]
