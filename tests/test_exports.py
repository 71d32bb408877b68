"""The public surface: exactly the curated names, each with one import path."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import types

import binance_async

PUBLIC = {
    "AccountConfigUpdate",
    "AccountMirror",
    "AccountUpdate",
    "AlgoUpdate",
    "BalanceUpdate",
    "DepthUpdate",
    "Liquidation",
    "MarginCall",
    "MarketStream",
    "MiniTicker",
    "OrderBook",
    "OrderUpdate",
    "PositionUpdate",
    "RawEvent",
    "StreamGap",
    "StreamStats",
    "Ticker",
    "TradeLite",
    "UserDataStream",
    "UserStats",
    "AccountAsset",
    "AccountConfig",
    "AdlQuantile",
    "AggTrade",
    "AlgoOrder",
    "BookTicker",
    "CommissionRate",
    "DeadMansSwitch",
    "Depth",
    "FundingRate",
    "Income",
    "Kline",
    "LeverageBracket",
    "LeverageChange",
    "MarkPrice",
    "NotionalBracket",
    "OpenInterest",
    "PositionMarginChange",
    "PriceTicker",
    "SymbolConfig",
    "Ticker24h",
    "Trade",
    "TradeEvent",
    "UserTrade",
    "USDM_PRODUCTION_URL",
    "USDM_TESTNET_URL",
    "SPOT_PRODUCTION_URL",
    "SPOT_TESTNET_URL",
    "AvgPrice",
    "AvgPriceEvent",
    "CancelReplaceResult",
    "CommissionDiscount",
    "CommissionRates",
    "FeeRates",
    "OrderCountUsage",
    "OrderList",
    "OrderListItem",
    "PreventedMatch",
    "Refusal",
    "Spot",
    "SpotAccount",
    "SpotBalance",
    "SpotFill",
    "SpotMiniTicker",
    "SpotOrder",
    "SpotSymbolInfo",
    "SpotTrade",
    "AccountPosition",
    "AssetBalance",
    "EventStreamTerminated",
    "ExecutionReport",
    "ListStatus",
    "ListStatusOrder",
    "SpotBalanceUpdate",
    "APIError",
    "AccountInfo",
    "AlgoOrderRequired",
    "BadRequest",
    "Balance",
    "BinanceError",
    "BudgetStore",
    "CancelRejected",
    "ClientConfig",
    "ClientState",
    "ClientStats",
    "DeadlineExceeded",
    "DuplicateClientOrderId",
    "ExchangeInfo",
    "ExecutionUnknown",
    "FilterRejected",
    "FilterViolation",
    "IPBanned",
    "InsufficientMargin",
    "InternalError",
    "InterruptedOrder",
    "InvalidRequest",
    "InvalidSignature",
    "InvalidTimestamp",
    "LimitsSnapshot",
    "MalformedAnswer",
    "MemoryBudgetStore",
    "NoSuchOrder",
    "Order",
    "OrderRejected",
    "Position",
    "RateLimited",
    "RequestInfo",
    "RequestTimeout",
    "RetryConfig",
    "ServerBusy",
    "ServerClock",
    "ServiceUnavailable",
    "SymbolInfo",
    "Throttled",
    "TransportError",
    "UMFutures",
    "WsApi",
    "WsApiStats",
    "Unauthorized",
    "UnexpectedRedirect",
    "UnknownOutcome",
    "UnknownSymbol",
    "WindowState",
    "__version__",
}


def test_all_is_exactly_the_public_names() -> None:
    """__all__ holds exactly the curated names, once each (ruff's RUF022 keeps the order)."""
    names = binance_async.__all__
    assert set(names) == PUBLIC and len(names) == len(PUBLIC)
    assert sorted(dir(binance_async)) == sorted(PUBLIC)


def test_every_public_name_resolves_to_a_class_function_or_constant() -> None:
    """Each name loads (lazily) and none is a module."""
    for name in binance_async.__all__:
        assert not isinstance(getattr(binance_async, name), types.ModuleType), name


def test_each_name_has_one_home() -> None:
    """No module of the package re-exports another's public name: one import path per name.

    Two venues' tables may each name their own ``NEW_ORDER``: a name is shared only when two
    modules export the same object under it."""
    homes: dict[tuple[str, int], list[str]] = {}
    for info in pkgutil.walk_packages(binance_async.__path__, "binance_async."):
        if info.name.startswith("binance_async.testing") or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            homes.setdefault((name, id(getattr(module, name))), []).append(info.name)
    shared = {key[0]: where for key, where in homes.items() if len(where) > 1}
    assert shared == {}


def test_importing_the_package_loads_no_client_yet() -> None:
    """import binance_async alone loads neither aiohttp nor cryptography nor the simulator."""
    code = (
        "import sys, binance_async; "
        "print(sorted(m for m in ('aiohttp', 'cryptography', 'binance_async.testing', "
        "'binance_async.gateway') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_hmac_client_loads_only_what_its_calls_need() -> None:
    """Building an HMAC client (USDⓈ-M or Spot) loads neither aiohttp, cryptography, the
    simulator, the stream modules, the WebSocket API nor the models of calls not made; an RSA
    or Ed25519 key loads cryptography, a stream its modules."""
    code = (
        "import sys\n"
        "from binance_async import UMFutures\n"
        "heavy = ('aiohttp', 'yarl', 'cryptography', 'binance_async.testing',\n"
        "         'binance_async.streams.market',\n"
        "         'binance_async.streams.book', 'binance_async.streams.user',\n"
        "         'binance_async.models.userevents', 'binance_async.wsapi',\n"
        "         'binance_async.models.account', 'binance_async.models.market')\n"
        "client = UMFutures('k', 's')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "from binance_async import Spot\n"
        "spot = Spot('k', 's')\n"
        "print(sorted(m for m in heavy[:5] + ('binance_async.wsapi',) if m in sys.modules))\n"
        "client.stream('btcusdt@aggTrade')\n"
        "print('binance_async.streams.market' in sys.modules)\n"
        "from cryptography.hazmat.primitives.asymmetric import ed25519\n"
        "from cryptography.hazmat.primitives import serialization as s\n"
        "pem = ed25519.Ed25519PrivateKey.generate().private_bytes(\n"
        "    s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())\n"
        "print(UMFutures('k', private_key=pem)._gateway.signer)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["[]", "[]", "True", "Ed25519Signer(key=<redacted>)"]


def test_spot_user_events_are_public_and_the_old_name_still_imports() -> None:
    """Spot's user stream events import from the top level; Spot's balanceUpdate is
    SpotBalanceUpdate there (BalanceUpdate is USDⓈ-M's), its old module name still works."""
    from binance_async.models import spotuserevents, userevents

    assert binance_async.ExecutionReport is spotuserevents.ExecutionReport
    assert binance_async.SpotBalanceUpdate is spotuserevents.BalanceUpdate
    assert binance_async.BalanceUpdate is userevents.BalanceUpdate
    assert binance_async.SpotBalanceUpdate is not binance_async.BalanceUpdate
