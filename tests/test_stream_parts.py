"""The streams' parts on their own (no exchange): event records from the documented payloads,
stream names and routes, the rotation's de-duplication, the account mirror's ordering rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest

from binance_async import (
    AccountUpdate,
    AggTrade,
    AlgoUpdate,
    BookTicker,
    DepthUpdate,
    InvalidRequest,
    Kline,
    Liquidation,
    MarkPrice,
    Order,
    OrderUpdate,
    RawEvent,
    Ticker,
)
from binance_async.models.userevents import ListenKeyExpired, parse_user_event
from binance_async.streams import names
from binance_async.streams.mirror import AccountMirror
from binance_async.streams.rotation import Rotation

# Payloads as reference/fapi-rules.md sections 6 and 7 document them.
AGG = {
    "e": "aggTrade",
    "E": 123456789,
    "s": "BTCUSDT",
    "a": 5933014,
    "p": "0.001",
    "q": "100",
    "f": 100,
    "l": 105,
    "T": 123456785,
    "m": True,
}
BOOK = {
    "e": "bookTicker",
    "u": 400900217,
    "E": 1568014460893,
    "T": 1568014460891,
    "s": "BNBUSDT",
    "b": "25.35190000",
    "B": "31.21000000",
    "a": "25.36520000",
    "A": "40.66000000",
}
DEPTH = {
    "e": "depthUpdate",
    "E": 123456789,
    "T": 123456788,
    "s": "BTCUSDT",
    "U": 157,
    "u": 160,
    "pu": 149,
    "b": [["0.0024", "10"]],
    "a": [["0.0026", "100"]],
}


def order_event(
    status: str, x: str, filled: str, t: int, order_id: int = 8886774
) -> dict[str, Any]:
    """An ORDER_TRADE_UPDATE as documented."""
    return {
        "e": "ORDER_TRADE_UPDATE",
        "E": t + 1,
        "T": t,
        "o": {
            "s": "BTCUSDT",
            "c": "sig-42",
            "S": "SELL",
            "o": "LIMIT",
            "f": "GTC",
            "q": "0.001",
            "p": "9910",
            "ap": "9910",
            "sp": "0",
            "x": x,
            "X": status,
            "i": order_id,
            "l": filled,
            "z": filled,
            "L": "9910",
            "N": "USDT",
            "n": "0",
            "T": t,
            "t": 0,
            "b": "0",
            "a": "9.91",
            "m": False,
            "R": False,
            "wt": "CONTRACT_PRICE",
            "ot": "LIMIT",
            "ps": "BOTH",
            "cp": False,
            "rp": "0",
            "pP": False,
            "si": 0,
            "ss": 0,
            "V": "EXPIRE_TAKER",
            "pm": "NONE",
            "gtd": 0,
        },
    }


def test_market_events_from_their_documented_payloads() -> None:
    """aggTrade, bookTicker, depthUpdate: the REST records where REST has them, fields read
    from raw on access, Decimals exact."""
    trade = AggTrade.from_event(AGG, "btcusdt@aggTrade")
    assert (trade.agg_id, trade.price, trade.qty, trade.first_trade_id, trade.last_trade_id) == (
        5933014,
        Decimal("0.001"),
        Decimal("100"),
        100,
        105,
    )
    assert trade.is_buyer_maker and trade.time_ms == 123456785 and trade.event_time_ms == 123456789
    rest = AggTrade.from_payload({k: AGG[k] for k in "apqflTm"}, symbol="BTCUSDT")
    assert (rest.agg_id, rest.symbol, rest.stream, rest.event_time_ms) == (
        5933014,
        "BTCUSDT",
        None,
        None,
    )
    with pytest.raises(KeyError):
        AggTrade.from_payload({"a": 1})
    ticker = BookTicker.from_event(BOOK, "bnbusdt@bookTicker")
    assert (ticker.bid_price, ticker.ask_qty, ticker.update_id) == (
        Decimal("25.35190000"),
        Decimal("40.66000000"),
        400900217,
    )
    depth = DepthUpdate.from_event(DEPTH, "btcusdt@depth")
    assert (depth.first_update_id, depth.final_update_id, depth.prev_final_update_id) == (
        157,
        160,
        149,
    )
    assert depth.bids == ((Decimal("0.0024"), Decimal("10")),) and "U=157" in repr(depth)
    spot = DepthUpdate.from_event({k: v for k, v in DEPTH.items() if k != "pu"}, "btcusdt@depth")
    assert (spot.final_update_id, spot.prev_final_update_id) == (160, None)  # Spot: no pu
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        trade.stream = "x"  # type: ignore[misc]


def test_other_market_events() -> None:
    """markPriceUpdate, kline, 24hrTicker, forceOrder; an unmodelled stream stays raw."""
    mark = MarkPrice.from_event(
        {
            "e": "markPriceUpdate",
            "E": 1562305380000,
            "s": "BTCUSDT",
            "p": "11794.15000000",
            "i": "11784.62659091",
            "P": "11784.25641265",
            "r": "0.00038167",
            "T": 1562306400000,
        }
    )
    assert (mark.mark_price, mark.last_funding_rate, mark.time_ms) == (
        Decimal("11794.15000000"),
        Decimal("0.00038167"),
        1562305380000,
    )
    kline = Kline.from_event(
        {
            "e": "kline",
            "E": 1638747660000,
            "s": "BTCUSDT",
            "k": {
                "t": 1638747660000,
                "T": 1638747719999,
                "s": "BTCUSDT",
                "i": "1m",
                "f": 100,
                "L": 200,
                "o": "0.0010",
                "c": "0.0020",
                "h": "0.0025",
                "l": "0.0015",
                "v": "1000",
                "n": 100,
                "x": False,
                "q": "1.0000",
                "V": "500",
                "Q": "0.500",
                "B": "123456",
            },
        }
    )
    assert (kline.interval, kline.closed, kline.high, kline.trades) == (
        "1m",
        False,
        Decimal("0.0025"),
        100,
    )
    ticker = Ticker.from_event(
        {"e": "24hrTicker", "E": 1, "s": "BTCUSDT", "c": "0.0025", "n": 18151}
    )
    assert ticker.last_price == Decimal("0.0025") and ticker.count == 18151
    liquidation = Liquidation.from_event(
        {
            "e": "forceOrder",
            "E": 1568014460893,
            "o": {
                "s": "BTCUSDT",
                "S": "SELL",
                "o": "LIMIT",
                "f": "IOC",
                "q": "0.014",
                "p": "9910",
                "ap": "9910",
                "X": "FILLED",
                "l": "0.014",
                "z": "0.014",
                "T": 1568014460893,
            },
        }
    )
    assert liquidation.filled_qty == Decimal("0.014") and liquidation.side == "SELL"
    assert names.factory("btcusdt@compositeIndex")({"e": "x"}, "s") == RawEvent(
        stream="s", raw={"e": "x"}
    )


def test_user_events_from_their_documented_payloads() -> None:
    """ORDER_TRADE_UPDATE carries its order; ALGO_UPDATE its algo order; ACCOUNT_UPDATE its
    balances and positions; listenKeyExpired with E as a string."""
    update = parse_user_event(order_event("PARTIALLY_FILLED", "TRADE", "0.0005", 1568879465650))
    assert isinstance(update, OrderUpdate)
    order = update.order
    assert isinstance(order, Order) and (order.client_order_id, order.executed_qty) == (
        "sig-42",
        Decimal("0.0005"),
    )
    algo = parse_user_event(
        {
            "e": "ALGO_UPDATE",
            "T": 1750515742297,
            "E": 1750515742303,
            "o": {
                "caid": "Q5xaq5EGKgXXa0fD7fs0Ip",
                "aid": 2148719,
                "at": "CONDITIONAL",
                "o": "TAKE_PROFIT",
                "s": "BNBUSDT",
                "S": "SELL",
                "ps": "BOTH",
                "f": "GTC",
                "q": "0.01",
                "X": "CANCELED",
                "ai": "",
                "ap": "0.00000",
                "aq": "0.00000",
                "act": "0",
                "tp": "750",
                "p": "750",
                "V": "EXPIRE_MAKER",
                "wt": "CONTRACT_PRICE",
                "pm": "NONE",
                "cp": False,
                "pP": False,
                "R": False,
                "tt": 0,
                "gtd": 0,
                "rm": "",
            },
        }
    )
    assert isinstance(algo, AlgoUpdate)
    assert (algo.algo_order.client_algo_id, algo.algo_order.status) == (
        "Q5xaq5EGKgXXa0fD7fs0Ip",
        "CANCELED",
    )
    account = parse_user_event(
        {
            "e": "ACCOUNT_UPDATE",
            "E": 1564745798939,
            "T": 1564745798938,
            "a": {
                "m": "ORDER",
                "B": [
                    {
                        "a": "USDT",
                        "wb": "122624.12345678",
                        "cw": "100.12345678",
                        "bc": "50.12345678",
                    }
                ],
                "P": [
                    {
                        "s": "BTCUSDT",
                        "pa": "0",
                        "ep": "0.00000",
                        "bep": "0",
                        "cr": "200",
                        "up": "0",
                        "mt": "isolated",
                        "iw": "0.00000000",
                        "ps": "BOTH",
                    }
                ],
            },
        }
    )
    assert isinstance(account, AccountUpdate) and account.reason == "ORDER"
    assert account.balances[0].wallet_balance == Decimal("122624.12345678")
    expired = parse_user_event({"e": "listenKeyExpired", "E": "1736996475556", "listenKey": "k"})
    assert isinstance(expired, ListenKeyExpired) and expired.event_time_ms == 1736996475556
    assert parse_user_event({"e": "STRATEGY_UPDATE", "E": 1}) is None


def test_stream_names_and_routes() -> None:
    """Symbols lower-cased, events kept; book streams on /public; bad names refused."""
    assert names.canonical("BTCUSDT@kline_1M") == "btcusdt@kline_1M"
    assert names.canonical("!bookTicker") == "!bookTicker"
    public = ["btcusdt@depth", "btcusdt@depth5@100ms", "btcusdt@bookTicker", "!bookTicker"]
    assert {names.route(n) for n in public} == {names.PUBLIC}
    market = ["btcusdt@aggTrade", "!markPrice@arr@1s", "btcusdt@kline_1m", "!forceOrder@arr"]
    assert {names.route(n) for n in market} == {names.MARKET}
    assert names.is_array("!ticker@arr") and not names.is_array("!forceOrder@arr")
    for bad in ("", "btcusdt", "@aggTrade", "btc usdt@aggTrade", "a/b@aggTrade", 7):
        with pytest.raises(InvalidRequest):
            names.canonical(bad)  # type: ignore[arg-type]
    assert names.split(range(5), 2) == [[0, 1], [2, 3], [4]]


def _msg(stream: str, n: int) -> bytes:
    return b'{"stream":"' + stream.encode() + b'","data":{"n":' + str(n).encode() + b"}}"


def test_rotation_delivers_each_event_once() -> None:
    """Old delivers 1..4, new holds 3..6 (subscribed later): each stream switches at the
    overlap; a stream without overlap switches at the end; nothing twice, nothing missed."""
    out: list[bytes] = []
    rotation = Rotation(out.append)
    for n in (1, 2):
        rotation.from_old(_msg("a", n))
    for n in (3, 4):
        rotation.from_new(_msg("a", n))  # held: the old one has not shown them yet
    rotation.from_old(_msg("a", 3))  # overlap proven at 3: the new one's 4 is delivered
    rotation.from_old(_msg("a", 4))  # the old one's 4 is now a duplicate
    rotation.from_new(_msg("a", 5))
    rotation.from_new(_msg("b", 1))  # b never overlapped
    rotation.finish()
    assert out == [_msg("a", n) for n in (1, 2, 3, 4, 5)] + [_msg("b", 1)]
    assert rotation.duplicates == 2

    out.clear()
    rotation = Rotation(out.append)
    rotation.from_old(_msg("a", 1))
    rotation.from_new(_msg("a", 1))  # the new one's first is already delivered
    rotation.from_new(_msg("a", 2))
    rotation.from_old(_msg("a", 2))
    assert out == [_msg("a", 1), _msg("a", 2)] and rotation.switched == 1


def test_the_mirror_applies_events_in_exchange_time_and_never_goes_back() -> None:
    """A stale or repeated event is dropped; a final order never reopens; a REST read is taken
    only where it is newer; an order gone from the open list is handed back for a read."""
    mirror = AccountMirror()
    new = OrderUpdate.from_event(order_event("NEW", "NEW", "0", 100))
    filled = OrderUpdate.from_event(order_event("FILLED", "TRADE", "0.001", 200))
    assert mirror.apply(new) and mirror.apply(filled)
    assert not mirror.apply(new)  # older
    assert not mirror.apply(OrderUpdate.from_event(order_event("NEW", "NEW", "0", 200)))
    assert mirror.orders["sig-42"].status == "FILLED"
    placed = OrderUpdate.from_event(order_event("NEW", "NEW", "0", 300, order_id=8886775))
    assert mirror.apply(placed) and mirror.orders["sig-42"].order_id == 8886775  # the id reused
    stale_rest = attrs.evolve(new.order, order_id=8886775, update_time_ms=250)
    gone, _ = mirror.merge(open_orders=[stale_rest], open_algo_orders=[], positions=[], balances=[])
    assert mirror.orders["sig-42"].update_time_ms == 300 and gone == []
    gone, _ = mirror.merge(open_orders=[], open_algo_orders=[], positions=[], balances=[])
    assert [o.order_id for o in gone] == [8886775]
    mirror.settle_order(attrs.evolve(placed.order, status="CANCELED", update_time_ms=400))
    assert mirror.open_orders == {} and mirror.orders["sig-42"].status == "CANCELED"
