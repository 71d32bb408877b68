"""What the core takes from a venue beyond USDⓈ-M's shape: a recvWindow with decimals, an
error body's ``data``, an order family cancelled under another id name than it is queried,
answers that do not say an order's status, and a venue's own symbol rules."""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import pytest

from binance_async import errors as e
from binance_async.config import ClientConfig
from binance_async.http import HttpTransport
from binance_async.models.exchange import ExchangeInfo, SymbolInfo
from binance_async.reconcile import order_query, order_ref
from binance_async.signing import HmacSigner
from binance_async.venues.usdm import ALGO_ORDERS, CODES, reduces_risk

#: The secret and the signed payload of the Spot documentation's HMAC example
#: (reference/signature-vectors.md A3).
SPOT_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
SPOT_PAYLOAD = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"


@pytest.mark.parametrize(
    ("decimals", "value", "ok"),
    [
        (0, 5000, True),
        (0, 5000.5, False),
        (0, 5000.0, False),
        (3, 5000, True),
        (3, 1500.25, True),
        (3, 6000.346, True),
        (3, 1500.2505, False),
        (3, 60000.5, False),
        (3, 0.0, False),
        (3, float("nan"), False),
        (3, True, False),
    ],
)
def test_recv_window_decimals(decimals: int, value: Any, ok: bool) -> None:
    """An int of ms always; a float only where the venue takes decimals, up to that many,
    never above 60000."""
    if ok:
        config = ClientConfig(base_url="x", recv_window_ms=value, recv_window_decimals=decimals)
        assert config.recv_window_ms == value
    else:
        with pytest.raises(ValueError):
            ClientConfig(base_url="x", recv_window_ms=value, recv_window_decimals=decimals)


def test_recv_window_written_plainly_and_signed() -> None:
    """The recvWindow goes on the wire as written (decimals included) and is signed; with
    the Spot documentation's example the signature is its published one."""
    signer = HmacSigner(SPOT_SECRET)
    http = HttpTransport(base_url="http://127.0.0.1:9", api_key="k", recv_window_ms=5000)
    signed = http.sign(SPOT_PAYLOAD, 1499827319559, signer)
    assert signed == (
        f"{SPOT_PAYLOAD}&recvWindow=5000&timestamp=1499827319559"
        "&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )
    micro = HttpTransport(base_url="http://127.0.0.1:9", api_key="k", recv_window_ms=6000.346)
    assert "&recvWindow=6000.346&timestamp=1&" in micro.sign(SPOT_PAYLOAD, 1, signer)


def test_error_body_data_is_kept() -> None:
    """An error body's ``data`` (Spot's cancel-replace halves) rides on the error, pickled
    too; without one it is None."""
    request = e.RequestInfo("POST", "/api/v3/order/cancelReplace")
    data = {"cancelResult": "SUCCESS", "newOrderResult": "FAILURE"}
    error = e.api_error(
        status=409, code=-2021, message="partially failed", request=request, table={}, data=data
    )
    assert type(error) is e.OrderRejected and error.data == data
    assert pickle.loads(pickle.dumps(error)).data == data
    plain = e.api_error(status=400, code=-1102, message="x", request=request, table=CODES)
    assert plain.data is None


def test_family_cancelled_under_another_id_name() -> None:
    """A family cancelled by one client id name and queried by another (Spot's order lists)
    is queried by the same id after a cancel."""
    family = attrs.evolve(
        ALGO_ORDERS, query_client_id="origClientOrderId", cancel_client_id="listClientOrderId"
    )
    cancel = {"symbol": "BTCUSDT", "listClientOrderId": "l-1"}
    assert order_query(family, cancel) == {"origClientOrderId": "l-1"}
    assert order_ref(family, cancel) == "l-1"
    assert order_query(family, {"symbol": "BTCUSDT", "algoId": 5}) == {"algoId": 5}
    with pytest.raises(KeyError):
        order_query(family, {"symbol": "BTCUSDT"})


@attrs.frozen(kw_only=True, slots=True)
class VenueSymbol(SymbolInfo):
    """A venue's own symbol rules, with a field of its own."""

    extra: int = 0

    @classmethod
    def from_payload(cls, payload: Any) -> VenueSymbol:
        base = SymbolInfo.from_payload(payload)
        return cls(**attrs.asdict(base, recurse=False), extra=7)


def test_exchange_info_with_a_venue_symbol_builder() -> None:
    """exchangeInfo builds each symbol with the venue's builder."""
    payload = {
        "rateLimits": [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
             "limit": 6000},
            {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5,
             "limit": 61000},
        ],
        "symbols": [{"symbol": "BTCUSDT", "filters": []}],
    }  # fmt: skip
    info = ExchangeInfo.from_payload(payload, VenueSymbol.from_payload)
    symbol = info.symbols["BTCUSDT"]
    assert isinstance(symbol, VenueSymbol) and symbol.extra == 7
    assert type(ExchangeInfo.from_payload(payload).symbols["BTCUSDT"]) is SymbolInfo


@pytest.mark.parametrize(
    ("params", "exempt"),
    [
        ({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET"}, False),
        ({"side": "BUY", "positionSide": "BOTH"}, False),
        ({"side": "BUY", "reduceOnly": True}, True),
        ({"side": "BUY", "reduceOnly": "true"}, True),
        ({"side": "BUY", "reduceOnly": False, "closePosition": "TRUE"}, True),
        ({"side": "SELL", "positionSide": "LONG"}, True),
        ({"side": "BUY", "positionSide": "SHORT"}, True),
        ({"side": "BUY", "positionSide": "LONG"}, False),
        ({"side": "SELL", "positionSide": "SHORT", "reduceOnly": False}, False),
    ],
)
def test_usdm_orders_that_reduce_risk(params: dict[str, Any], exempt: bool) -> None:
    """Reduce-only, close-position, and hedge-mode LONG+SELL / SHORT+BUY orders reduce risk
    (exempt from the -1008 shrink); a plain one-way order is new risk."""
    assert reduces_risk(params) is exempt
