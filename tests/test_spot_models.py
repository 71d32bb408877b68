"""Spot models from the documentation's answer samples: every order shape (ACK, RESULT,
FULL, query, cancel), order lists, cancel-replace results, the account, trades, prevented
matches, commissions, order counts, the average price, tickers and a symbol's filters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from binance_async import (
    AvgPrice,
    CancelReplaceResult,
    CommissionRates,
    OrderCountUsage,
    OrderList,
    PreventedMatch,
    SpotAccount,
    SpotMiniTicker,
    SpotOrder,
    SpotSymbolInfo,
    SpotTrade,
    Ticker24h,
)
from binance_async.models.spotmarket import spot_exchange_info, spot_tickers
from binance_async.models.spotorders import parse_order_or_list

from .spot_fake import EXCHANGE_INFO

ACK = {
    "symbol": "BTCUSDT",
    "orderId": 28,
    "orderListId": -1,
    "clientOrderId": "6gCrw2kRUAF9CvJDGP16IP",
    "transactTime": 1507725176595,
}
RESULT = {
    **ACK,
    "price": "0.00000000",
    "origQty": "10.00000000",
    "executedQty": "10.00000000",
    "origQuoteOrderQty": "0.000000",
    "cummulativeQuoteQty": "10.00000000",
    "status": "FILLED",
    "timeInForce": "GTC",
    "type": "MARKET",
    "side": "SELL",
    "workingTime": 1507725176595,
    "selfTradePreventionMode": "NONE",
}
FULL = {
    **RESULT,
    "fills": [
        {
            "price": "4000.00000000",
            "qty": "1.00000000",
            "commission": "4.00000000",
            "commissionAsset": "USDT",
            "tradeId": 56,
        },
        {
            "price": "3999.00000000",
            "qty": "5.00000000",
            "commission": "19.99500000",
            "commissionAsset": "USDT",
            "tradeId": 57,
        },
    ],
}
QUERY = {
    "symbol": "LTCBTC",
    "orderId": 1,
    "orderListId": -1,
    "clientOrderId": "myOrder1",
    "price": "0.1",
    "origQty": "1.0",
    "executedQty": "0.0",
    "cummulativeQuoteQty": "0.0",
    "status": "NEW",
    "timeInForce": "GTC",
    "type": "LIMIT",
    "side": "BUY",
    "stopPrice": "0.0",
    "icebergQty": "0.0",
    "time": 1499827319559,
    "updateTime": 1499827319559,
    "isWorking": True,
    "workingTime": 1499827319559,
    "origQuoteOrderQty": "0.000000",
    "selfTradePreventionMode": "NONE",
}
CANCELLED = {
    "symbol": "LTCBTC",
    "origClientOrderId": "myOrder1",
    "orderId": 4,
    "orderListId": -1,
    "clientOrderId": "cancelMyOrder1",
    "transactTime": 1684804350068,
    "price": "2.00000000",
    "origQty": "1.00000000",
    "executedQty": "0.00000000",
    "origQuoteOrderQty": "0.000000",
    "cummulativeQuoteQty": "0.00000000",
    "status": "CANCELED",
    "timeInForce": "GTC",
    "type": "LIMIT",
    "side": "BUY",
    "selfTradePreventionMode": "NONE",
}
OCO = {
    "orderListId": 1,
    "contingencyType": "OCO",
    "listStatusType": "EXEC_STARTED",
    "listOrderStatus": "EXECUTING",
    "listClientOrderId": "lH1YDkuQKWiXVXHPSKYEIp",
    "transactionTime": 1710485608839,
    "symbol": "LTCBTC",
    "orders": [
        {"symbol": "LTCBTC", "orderId": 10, "clientOrderId": "44nZvqpemY7sVYgPYbvPih"},
        {"symbol": "LTCBTC", "orderId": 11, "clientOrderId": "NuMp0nVYnciDiFmVqfpBqK"},
    ],
    "orderReports": [
        {
            "symbol": "LTCBTC",
            "orderId": 10,
            "orderListId": 1,
            "clientOrderId": "44nZvqpemY7sVYgPYbvPih",
            "transactTime": 1710485608839,
            "price": "1.00000000",
            "origQty": "5.00000000",
            "executedQty": "0.00000000",
            "origQuoteOrderQty": "0.000000",
            "cummulativeQuoteQty": "0.00000000",
            "status": "NEW",
            "timeInForce": "GTC",
            "type": "STOP_LOSS_LIMIT",
            "side": "SELL",
            "stopPrice": "1.00000000",
            "workingTime": -1,
            "icebergQty": "1.00000000",
            "selfTradePreventionMode": "NONE",
        },
        {
            "symbol": "LTCBTC",
            "orderId": 11,
            "orderListId": 1,
            "clientOrderId": "NuMp0nVYnciDiFmVqfpBqK",
            "transactTime": 1710485608839,
            "price": "3.00000000",
            "origQty": "5.00000000",
            "executedQty": "0.00000000",
            "origQuoteOrderQty": "0.000000",
            "cummulativeQuoteQty": "0.00000000",
            "status": "NEW",
            "timeInForce": "GTC",
            "type": "LIMIT_MAKER",
            "side": "SELL",
            "workingTime": 1710485608839,
            "selfTradePreventionMode": "NONE",
        },
    ],
}


def test_order_shapes() -> None:
    """ACK carries ids and time only; RESULT the state; FULL the fills too."""
    ack = SpotOrder.from_payload(ACK)
    assert (ack.order_id, ack.client_order_id, ack.order_list_id) == (
        28,
        "6gCrw2kRUAF9CvJDGP16IP",
        -1,
    )
    assert ack.status is None and ack.side is None and not ack.is_open and ack.fills == ()
    assert ack.transact_time_ms == 1507725176595
    result = SpotOrder.from_payload(RESULT)
    assert result.status == "FILLED" and result.cummulative_quote_qty == Decimal(10)
    assert result.fills == () and result.working_time_ms == 1507725176595
    full = SpotOrder.from_payload(FULL)
    assert [f.trade_id for f in full.fills] == [56, 57]
    assert full.fills[1].commission == Decimal("19.995") and full.fills[1].commission_asset == (
        "USDT"
    )
    assert full.avg_price == Decimal(1)


def test_query_and_cancel() -> None:
    """A query's fields; a cancel names the order by origClientOrderId, the cancel by
    clientOrderId."""
    order = SpotOrder.from_payload(QUERY)
    assert order.is_open and order.is_working is True and order.stop_price == 0
    assert order.time_ms == order.update_time_ms == 1499827319559
    cancelled = SpotOrder.from_payload(CANCELLED)
    assert cancelled.client_order_id == "myOrder1"
    assert cancelled.cancel_client_order_id == "cancelMyOrder1"
    assert cancelled.status == "CANCELED" and not cancelled.is_open
    assert cancelled.as_reconciled().reconciled


def test_optional_fields() -> None:
    """STP, trailing and strategy fields when present; -1 working time is None."""
    order = SpotOrder.from_payload(
        {
            **QUERY,
            "preventedMatchId": 0,
            "preventedQuantity": "1.200000",
            "trailingDelta": 10,
            "trailingTime": -1,
            "strategyId": 37463720,
            "strategyType": 1000000,
            "workingTime": -1,
        }
    )
    assert order.prevented_match_id == 0 and order.prevented_quantity == Decimal("1.2")
    assert order.trailing_delta == 10 and order.trailing_time_ms is None
    assert order.working_time_ms is None
    assert (order.strategy_id, order.strategy_type) == (37463720, 1000000)


@pytest.mark.parametrize(
    "payload",
    [{"symbol": "X"}, {**ACK, "orderId": "28x"}, {**ACK, "clientOrderId": 5}, {**FULL, "fills": 1}],
)
def test_not_an_order(payload: dict[str, Any]) -> None:
    """An answer that is not an order is refused (the gateway makes it MalformedAnswer)."""
    with pytest.raises((KeyError, TypeError, ValueError)):
        SpotOrder.from_payload(payload)


def test_order_list() -> None:
    """An OCO answer: the list, its orders and their reports; a query has no reports."""
    oco = OrderList.from_payload(OCO)
    assert oco.status == "EXECUTING" and oco.is_open
    assert oco.list_client_order_id == "lH1YDkuQKWiXVXHPSKYEIp"
    assert [o.order_id for o in oco.orders] == [10, 11]
    assert oco.order_reports[0].stop_price == 1 and oco.order_reports[0].working_time_ms is None
    assert oco.order_reports[0].iceberg_qty == 1
    query = OrderList.from_payload({k: v for k, v in OCO.items() if k != "orderReports"})
    assert query.order_reports == () and query.as_reconciled().reconciled
    done = OrderList.from_payload({**OCO, "listOrderStatus": "ALL_DONE"})
    assert not done.is_open


def test_cancel_all_holds_orders_and_lists() -> None:
    """DELETE openOrders answers orders and order lists in one list."""
    items = [parse_order_or_list(CANCELLED), parse_order_or_list(OCO)]
    assert isinstance(items[0], SpotOrder) and isinstance(items[1], OrderList)


def test_cancel_replace_results() -> None:
    """Success; cancel ok and new order refused (409); cancel refused and new order placed
    (409, ALLOW_FAILURE); both refused (-2022's data)."""
    ok = CancelReplaceResult.from_payload(
        {
            "cancelResult": "SUCCESS",
            "newOrderResult": "SUCCESS",
            "cancelResponse": CANCELLED,
            "newOrderResponse": {**QUERY, "orderId": 10, "fills": []},
        }
    )
    assert ok.succeeded and not ok.partial and ok.cancelled is not None
    assert ok.new_order is not None and ok.new_order.order_id == 10 and ok.status == "NEW"
    half = CancelReplaceResult.from_payload(
        {
            "cancelResult": "SUCCESS",
            "newOrderResult": "FAILURE",
            "cancelResponse": CANCELLED,
            "newOrderResponse": {"code": -2010, "msg": "Order would immediately match and take."},
        }
    )
    assert half.partial and half.new_order is None and half.new_order_refusal is not None
    assert half.new_order_refusal.code == -2010
    other = CancelReplaceResult.from_payload(
        {
            "cancelResult": "FAILURE",
            "newOrderResult": "SUCCESS",
            "cancelResponse": {"code": -2011, "msg": "Unknown order sent."},
            "newOrderResponse": ACK,
        }
    )
    assert other.partial and other.cancel_refusal is not None and other.cancelled is None
    assert other.new_order is not None and other.new_order.status is None
    failed = CancelReplaceResult.from_payload(
        {
            "cancelResult": "FAILURE",
            "newOrderResult": "NOT_ATTEMPTED",
            "cancelResponse": {"code": -2011, "msg": "Unknown order sent."},
            "newOrderResponse": None,
        }
    )
    assert not failed.partial and not failed.succeeded and failed.new_order_refusal is None
    with pytest.raises(ValueError):
        CancelReplaceResult.from_payload({"cancelResult": "MAYBE", "newOrderResult": "SUCCESS"})


def test_account() -> None:
    """Balances free and locked, commission rates, permissions."""
    account = SpotAccount.from_payload(
        {
            "makerCommission": 15,
            "takerCommission": 15,
            "buyerCommission": 0,
            "sellerCommission": 0,
            "commissionRates": {
                "maker": "0.00150000",
                "taker": "0.00150000",
                "buyer": "0.00000000",
                "seller": "0.00000000",
            },
            "canTrade": True,
            "canWithdraw": True,
            "canDeposit": True,
            "brokered": False,
            "requireSelfTradePrevention": False,
            "preventSor": False,
            "updateTime": 123456789,
            "accountType": "SPOT",
            "balances": [
                {"asset": "BTC", "free": "4723846.89208129", "locked": "0.00000000"},
                {"asset": "LTC", "free": "4763368.68006011", "locked": "1.5"},
            ],
            "permissions": ["SPOT"],
            "uid": 354937868,
        }
    )
    assert account.commission_rates.maker == Decimal("0.0015")
    assert account.can_trade and account.permissions == ("SPOT",) and account.uid == 354937868
    ltc = account.balance("LTC")
    assert ltc is not None and ltc.locked == Decimal("1.5")
    assert ltc.total == Decimal("4763370.18006011")
    assert account.balance("ETH") is None


def test_trades_prevented_matches_commission_and_counts() -> None:
    """myTrades, myPreventedMatches, account/commission and rateLimit/order answers."""
    trade = SpotTrade.from_payload(
        {
            "symbol": "BNBBTC",
            "id": 28457,
            "orderId": 100234,
            "orderListId": -1,
            "price": "4.00000100",
            "qty": "12.00000000",
            "quoteQty": "48.000012",
            "commission": "10.10000000",
            "commissionAsset": "BNB",
            "time": 1499865549590,
            "isBuyer": True,
            "isMaker": False,
            "isBestMatch": True,
        }
    )
    assert trade.quote_qty == Decimal("48.000012") and trade.is_buyer and not trade.is_maker
    match = PreventedMatch.from_payload(
        {
            "symbol": "BTCUSDT",
            "preventedMatchId": 1,
            "takerOrderId": 5,
            "makerSymbol": "BTCUSDT",
            "makerOrderId": 3,
            "tradeGroupId": 1,
            "selfTradePreventionMode": "EXPIRE_MAKER",
            "price": "1.100000",
            "makerPreventedQuantity": "1.300000",
            "transactTime": 1669101687094,
        }
    )
    assert match.maker_prevented_quantity == Decimal("1.3") and match.taker_order_id == 5
    rates = CommissionRates.from_payload(
        {
            "symbol": "BTCUSDT",
            "standardCommission": {
                "maker": "0.00000010",
                "taker": "0.00000020",
                "buyer": "0.00000030",
                "seller": "0.00000040",
            },
            "specialCommission": {
                "maker": "0.01000000",
                "taker": "0.02000000",
                "buyer": "0.03000000",
                "seller": "0.04000000",
            },
            "taxCommission": {
                "maker": "0.00000112",
                "taker": "0.00000114",
                "buyer": "0.00000118",
                "seller": "0.00000116",
            },
            "discount": {
                "enabledForAccount": True,
                "enabledForSymbol": True,
                "discountAsset": "BNB",
                "discount": "0.75000000",
            },
        }
    )
    assert rates.standard.seller == Decimal("0.0000004") and rates.discount.discount_asset == "BNB"
    assert rates.special is not None and rates.special.taker == Decimal("0.02")
    usage = OrderCountUsage.from_payload(
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 160000,
         "count": 12}
    )  # fmt: skip
    assert (usage.interval, usage.limit, usage.count) == ("DAY", 160000, 12)


def test_market_models() -> None:
    """avgPrice, and a ticker answer in its FULL or MINI form, one or many."""
    avg = AvgPrice.from_payload({"mins": 5, "price": "9.35751834", "closeTime": 1694061154503})
    assert avg.mins == 5 and avg.price == Decimal("9.35751834")
    mini = {
        "symbol": "BNBBTC",
        "openPrice": "99.00000000",
        "highPrice": "100.00000000",
        "lowPrice": "0.10000000",
        "lastPrice": "4.00000200",
        "volume": "8913.30000000",
        "quoteVolume": "15.30000000",
        "openTime": 1499783499040,
        "closeTime": 1499869899040,
        "firstId": 28385,
        "lastId": 28460,
        "count": 76,
    }
    full = {
        **mini,
        "priceChange": "-94.99999800",
        "priceChangePercent": "-95.960",
        "weightedAvgPrice": "0.29628482",
        "prevClosePrice": "0.10002000",
        "lastQty": "200.00000000",
    }
    assert isinstance(spot_tickers(mini), SpotMiniTicker)
    assert isinstance(spot_tickers(full), Ticker24h)
    both = spot_tickers([mini, full])
    assert isinstance(both, list) and [type(t) for t in both] == [SpotMiniTicker, Ticker24h]


def test_symbol_filters() -> None:
    """Spot's filters and permissions from exchangeInfo, and its limits (RAW_REQUESTS too)."""
    info = spot_exchange_info(EXCHANGE_INFO)
    symbol = info.symbols["BTCUSDT"]
    assert isinstance(symbol, SpotSymbolInfo)
    assert (symbol.tick_size, symbol.step_size) == (Decimal("0.01"), Decimal("0.00001"))
    assert symbol.min_notional == 5 and symbol.max_notional == 9000000
    assert symbol.apply_min_to_market and not symbol.apply_max_to_market
    assert symbol.market_max_qty == 100 and symbol.market_step_size == 0
    assert symbol.iceberg_parts == 10 and symbol.max_num_orders == 200
    assert (symbol.min_trailing_above_delta, symbol.max_trailing_below_delta) == (10, 2000)
    assert symbol.bid_multiplier_up == 5 and symbol.ask_multiplier_down == Decimal("0.2")
    assert "EXPIRE_BOTH" in symbol.allowed_self_trade_prevention_modes
    assert {(r.kind, r.label) for r in info.rate_limits} >= {
        ("REQUEST_WEIGHT", "1M"),
        ("ORDERS", "10S"),
        ("ORDERS", "1D"),
        ("RAW_REQUESTS", "5M"),
    }


def test_legacy_min_notional() -> None:
    """A symbol with the legacy MIN_NOTIONAL (minNotional, applyToMarket) reads it."""
    symbol = SpotSymbolInfo.from_payload(
        {
            "symbol": "LTCBTC",
            "filters": [
                {
                    "filterType": "MIN_NOTIONAL",
                    "minNotional": "0.00100000",
                    "applyToMarket": True,
                    "avgPriceMins": 5,
                }
            ],
        }
    )
    assert symbol.min_notional == Decimal("0.001") and symbol.apply_min_to_market
    assert symbol.max_notional == 0


def test_execution_report_of_a_prevented_self_trade() -> None:
    """A ``TRADE_PREVENTION`` report carries the documented conditional fields (prevented
    match, quantities, trade group, counter order and symbol, the execution prevented), and
    the order it leaves is closed with its prevented match and quantity, as a REST query
    would give them."""
    from binance_async.models.spotuserevents import ExecutionReport, parse_spot_user_event

    event = {
        "e": "executionReport", "E": 1700000000123, "s": "BTCUSDT", "c": "maker-1",
        "S": "SELL", "o": "LIMIT", "f": "GTC", "q": "3.00000000", "p": "0.10000001",
        "P": "0.00000000", "F": "0.00000000", "g": -1, "C": "", "x": "TRADE_PREVENTION",
        "X": "EXPIRED_IN_MATCH", "r": "NONE", "i": 36, "l": "0.00000000",
        "z": "0.00000000", "L": "0.00000000", "n": "0", "N": None, "T": 1700000000120,
        "t": -1, "v": 3, "I": 99, "w": False, "m": False, "M": False, "O": 1700000000001,
        "Z": "0.00000000", "Y": "0.00000000", "Q": "0.00000000", "W": 1700000000001,
        "V": "EXPIRE_MAKER", "A": "3.000000", "B": "3.000000", "u": 1, "U": 37,
        "Cs": "BTCUSDT", "pl": "2.123456", "pL": "0.10000001", "pY": "0.21234562",
    }  # fmt: skip
    report = parse_spot_user_event(event)
    assert isinstance(report, ExecutionReport)
    assert (report.execution_type, report.status) == ("TRADE_PREVENTION", "EXPIRED_IN_MATCH")
    assert (report.prevented_match_id, report.prevented_quantity) == (3, Decimal("3"))
    assert (report.last_prevented_quantity, report.trade_group_id) == (Decimal("3"), 1)
    assert (report.counter_order_id, report.counter_symbol) == (37, "BTCUSDT")
    assert (
        report.prevented_execution_qty,
        report.prevented_execution_price,
        report.prevented_execution_quote_qty,
    ) == (Decimal("2.123456"), Decimal("0.10000001"), Decimal("0.21234562"))
    order = report.order
    assert (order.prevented_match_id, order.prevented_quantity) == (3, Decimal("3"))
    assert not order.is_open and order.self_trade_prevention_mode == "EXPIRE_MAKER"
    # A report without a prevention has none of them.
    prevention = {"v", "A", "B", "u", "U", "Cs", "pl", "pL", "pY"}
    bare = parse_spot_user_event({k: v for k, v in event.items() if k not in prevention})
    assert isinstance(bare, ExecutionReport)
    assert bare.prevented_match_id is bare.prevented_quantity is bare.counter_symbol is None
    assert bare.prevented_execution_qty is None and bare.order.prevented_match_id is None
