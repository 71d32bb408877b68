"""Index data: composite index info, Multi-Assets asset index, index constituents,
insurance fund balance and ADL risk ratings.

The simulator's index price equals the mark; its one composite index (DEFIUSDT) and its asset
pairs (BTCUSD, ETHUSD) exist only for these endpoints.
"""

from __future__ import annotations

from decimal import Decimal

from . import readers
from .call import Call
from .errors import bad_symbol

__all__ = ["asset_index", "constituents", "index_info", "insurance_balance", "symbol_adl_risk"]

_COMPOSITE = "DEFIUSDT"
_ASSET_PAIRS = {"BTCUSD": "BTCUSDT", "ETHUSD": "ETHUSDT"}
_BID_BUFFER, _AUTO_BUFFER = Decimal("0.1"), Decimal("0.05")
_INSURANCE = "500000000.00000000"


def _d8(value: Decimal) -> str:
    return f"{value:.8f}"


def index_info(call: Call) -> object:
    """GET /fapi/v1/indexInfo: composite index symbols only."""
    readers.check_unknown(call.params, ("symbol",))
    symbol = readers.text(call.params, "symbol")
    entry = {
        "symbol": _COMPOSITE,
        "time": call.now_ms,
        "component": "baseAsset",
        "baseAssetList": [
            {
                "baseAsset": base,
                "quoteAsset": "USDT",
                "weightInQuantity": weight,
                "weightInPercentage": share,
            }
            for base, weight, share in (
                ("BTC", "0.00001000", "0.50000000"),
                ("ETH", "0.00016667", "0.50000000"),
            )
        ],
    }
    return [entry] if symbol in (None, _COMPOSITE) else []


def _asset(call: Call, pair: str) -> dict[str, object]:
    index = call.state.market.mark(_ASSET_PAIRS[pair])
    return {
        "symbol": pair,
        "time": call.now_ms,
        "index": _d8(index),
        "bidBuffer": _d8(_BID_BUFFER),
        "askBuffer": _d8(_BID_BUFFER),
        "bidRate": _d8(index * (1 - _BID_BUFFER)),
        "askRate": _d8(index * (1 + _BID_BUFFER)),
        "autoExchangeBidBuffer": _d8(_AUTO_BUFFER),
        "autoExchangeAskBuffer": _d8(_AUTO_BUFFER),
        "autoExchangeBidRate": _d8(index * (1 - _AUTO_BUFFER)),
        "autoExchangeAskRate": _d8(index * (1 + _AUTO_BUFFER)),
    }


def asset_index(call: Call) -> object:
    """GET /fapi/v1/assetIndex: an object with a symbol (an asset pair), an array without."""
    readers.check_unknown(call.params, ("symbol",))
    symbol = readers.text(call.params, "symbol")
    if symbol is None:
        return [_asset(call, pair) for pair in _ASSET_PAIRS]
    if symbol not in _ASSET_PAIRS:
        raise bad_symbol()
    return _asset(call, symbol)


def constituents(call: Call) -> object:
    """GET /fapi/v1/constituents: one constituent, this exchange, at the mark."""
    readers.check_unknown(call.params, ("symbol",))
    spec = call.state.market.spec(readers.require(call.params, "symbol"))
    return {
        "symbol": spec.symbol,
        "time": call.now_ms,
        "constituents": [
            {
                "exchange": "binance",
                "symbol": spec.symbol,
                "price": _d8(call.state.market.mark(spec.symbol)),
                "weight": "1.00000000",
            }
        ],
    }


def insurance_balance(call: Call) -> object:
    """GET /fapi/v1/insuranceBalance: one fund for every symbol (an object with a symbol)."""
    readers.check_unknown(call.params, ("symbol",))
    market = call.state.market
    symbol = readers.text(call.params, "symbol")
    if symbol is not None:
        market.spec(symbol)
    fund = {
        "symbols": sorted(market.symbols),
        "assets": [{"asset": "USDT", "marginBalance": _INSURANCE, "updateTime": call.now_ms}],
    }
    return fund if symbol is not None else [fund]


def symbol_adl_risk(call: Call) -> object:
    """GET /fapi/v1/symbolAdlRisk: every symbol rated "low"."""
    readers.check_unknown(call.params, ("symbol",))
    market = call.state.market
    symbol = readers.text(call.params, "symbol")
    specs = [market.spec(symbol)] if symbol is not None else list(market.symbols.values())
    items = [{"symbol": s.symbol, "adlRisk": "low", "updateTime": call.now_ms} for s in specs]
    return items[0] if symbol is not None else items
