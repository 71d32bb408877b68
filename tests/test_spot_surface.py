"""The whole public surface of Spot against the simulator's Spot mode, method by method: the
exact parameters on the wire (names and values, signing apart), the weight the exchange
charged (from the reference and the Spot docs), and the model each call returns. A public
method missing from the walk fails too."""

from __future__ import annotations

import inspect
from decimal import Decimal

import pytest

import binance_async as ba
from binance_async import Spot
from binance_async.testing import Simulator

from .conftest import make_spot
from .surface import Walk, one

BTC = "BTCUSDT"
ETH = "ETHUSDT"
#: Public coroutine methods that are not calls of one endpoint.
NOT_ENDPOINTS = {"open", "aclose", "symbol_info", "spot_rules"}


@pytest.mark.parametrize("kind", ["hmac", "ed25519"])
async def test_every_public_method_reaches_its_endpoint_and_returns_its_model(
    sim: Simulator, kind: str
) -> None:
    """Every Spot endpoint through the client's methods, checked on the wire, in its weight
    and in its model; signed with an HMAC and an Ed25519 key."""
    async with make_spot(sim, sim.new_credentials(kind), recv_window_ms=5000.5) as client:
        w = Walk(sim, client)
        await market_data(w)
        await orders(w)
        await order_lists(w)
        await account(w)
    public = {
        name
        for name, member in inspect.getmembers(Spot)
        if not name.startswith("_") and inspect.iscoroutinefunction(member)
    }
    assert public - NOT_ENDPOINTS == w.called
    signed = [r for r in sim.audit.requests if "signature=" in r.query + r.body.decode()]
    assert signed and all(r.status != 400 or r.code not in (-1021, -1022) for r in signed)


async def market_data(w: Walk) -> None:
    """Every market-data method."""
    c = w.client
    await w.check("ping", c.ping(), ("GET", "/api/v3/ping"), {}, 1, type(None))
    await w.check("server_time", c.server_time(), ("GET", "/api/v3/time"), {}, 1, int)
    info = await w.check(
        "exchange_info", c.exchange_info(), ("GET", "/api/v3/exchangeInfo"), {}, 20,
        ba.ExchangeInfo,
    )  # fmt: skip
    assert isinstance(info.symbols[BTC], ba.SpotSymbolInfo)
    book = await w.check(
        "depth", c.depth(BTC, limit=100), ("GET", "/api/v3/depth"),
        {"symbol": BTC, "limit": "100"}, 5, ba.Depth,
    )  # fmt: skip
    assert book.last_update_id >= 0
    await w.check(
        "trades", c.trades(BTC, limit=10), ("GET", "/api/v3/trades"),
        {"symbol": BTC, "limit": "10"}, 25, list,
    )  # fmt: skip
    await w.check(
        "historical_trades", c.historical_trades(BTC, limit=10),
        ("GET", "/api/v3/historicalTrades"), {"symbol": BTC, "limit": "10"}, 25, list,
    )  # fmt: skip
    await w.check(
        "agg_trades", c.agg_trades(BTC, limit=10), ("GET", "/api/v3/aggTrades"),
        {"symbol": BTC, "limit": "10"}, 4, list,
    )  # fmt: skip
    await w.check(
        "klines", c.klines(BTC, "1m", limit=10), ("GET", "/api/v3/klines"),
        {"symbol": BTC, "interval": "1m", "limit": "10"}, 2, list,
    )  # fmt: skip
    await w.check(
        "ui_klines", c.ui_klines(BTC, "1h", limit=5, time_zone="8"), ("GET", "/api/v3/uiKlines"),
        {"symbol": BTC, "interval": "1h", "timeZone": "8", "limit": "5"}, 2, list,
    )  # fmt: skip
    avg = await w.check(
        "avg_price", c.avg_price(BTC), ("GET", "/api/v3/avgPrice"), {"symbol": BTC}, 2,
        ba.AvgPrice,
    )  # fmt: skip
    assert avg.price > 0
    await w.check(
        "ticker_24hr", c.ticker_24hr(BTC), ("GET", "/api/v3/ticker/24hr"), {"symbol": BTC}, 2,
        ba.Ticker24h,
    )  # fmt: skip
    minis = await w.check(
        "ticker_24hr", c.ticker_24hr(symbols=[BTC, ETH], type="MINI"),
        ("GET", "/api/v3/ticker/24hr"), {"symbols": '["BTCUSDT","ETHUSDT"]', "type": "MINI"},
        2, list,
    )  # fmt: skip
    assert isinstance(one(minis), ba.SpotMiniTicker)
    await w.check("ticker_24hr", c.ticker_24hr(), ("GET", "/api/v3/ticker/24hr"), {}, 80, list)
    await w.check(
        "ticker_price", c.ticker_price(BTC), ("GET", "/api/v3/ticker/price"), {"symbol": BTC},
        2, ba.PriceTicker,
    )  # fmt: skip
    await w.check("ticker_price", c.ticker_price(), ("GET", "/api/v3/ticker/price"), {}, 4, list)
    await w.check(
        "book_ticker", c.book_ticker(BTC), ("GET", "/api/v3/ticker/bookTicker"),
        {"symbol": BTC}, 2, ba.BookTicker,
    )  # fmt: skip
    await w.check(
        "rolling_window_ticker", c.rolling_window_ticker(BTC, window_size="1h"),
        ("GET", "/api/v3/ticker"), {"symbol": BTC, "windowSize": "1h"}, 4, ba.Ticker24h,
    )  # fmt: skip
    await w.check(
        "trading_day_ticker", c.trading_day_ticker(symbols=[BTC, ETH], time_zone="-1:30"),
        ("GET", "/api/v3/ticker/tradingDay"),
        {"symbols": '["BTCUSDT","ETHUSDT"]', "timeZone": "-1:30"}, 8, list,
    )  # fmt: skip


LIMIT_BUY = {"symbol": BTC, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}


async def orders(w: Walk) -> None:
    """Every order method: place, test, query, cancel, cancel-replace, lists of orders."""
    c = w.client
    resting = await w.check(
        "new_order",
        c.new_order(symbol=BTC, side="BUY", type="LIMIT", quantity="0.001", price="49000",
                    new_client_order_id="w-1", new_order_resp_type="FULL"),
        ("POST", "/api/v3/order"),
        {**LIMIT_BUY, "quantity": "0.001", "price": "49000", "newClientOrderId": "w-1",
         "newOrderRespType": "FULL"},
        1, ba.SpotOrder,
    )  # fmt: skip
    assert resting.status == "NEW" and resting.fills == ()
    filled = await w.check(
        "new_order",
        c.new_order(symbol=BTC, side="BUY", type="MARKET", quote_order_qty="100",
                    new_client_order_id="w-2"),
        ("POST", "/api/v3/order"),
        {"symbol": BTC, "side": "BUY", "type": "MARKET", "quoteOrderQty": "100",
         "newClientOrderId": "w-2"},
        1, ba.SpotOrder,
    )  # fmt: skip
    assert filled.status == "FILLED" and filled.fills and filled.cummulative_quote_qty > 0
    await w.check(
        "test_order",
        c.test_order(symbol=BTC, side="SELL", type="LIMIT", quantity="0.001", price="51000",
                     new_client_order_id="t-1"),
        ("POST", "/api/v3/order/test"),
        {"symbol": BTC, "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
         "quantity": "0.001", "price": "51000", "newClientOrderId": "t-1"},
        1, dict,
    )  # fmt: skip
    await w.check(
        "test_order",
        c.test_order(symbol=BTC, side="SELL", type="MARKET", quantity="0.001",
                     new_client_order_id="t-2", compute_commission_rates=True),
        ("POST", "/api/v3/order/test"),
        {"symbol": BTC, "side": "SELL", "type": "MARKET", "quantity": "0.001",
         "newClientOrderId": "t-2", "computeCommissionRates": "true"},
        20, dict,
    )  # fmt: skip
    await w.check(
        "get_order", c.get_order(symbol=BTC, orig_client_order_id="w-1"),
        ("GET", "/api/v3/order"), {"symbol": BTC, "origClientOrderId": "w-1"}, 4, ba.SpotOrder,
    )  # fmt: skip
    await w.check(
        "open_orders", c.open_orders(BTC), ("GET", "/api/v3/openOrders"), {"symbol": BTC}, 6,
        list,
    )  # fmt: skip
    await w.check("open_orders", c.open_orders(), ("GET", "/api/v3/openOrders"), {}, 80, list)
    await w.check(
        "all_orders", c.all_orders(BTC, limit=50), ("GET", "/api/v3/allOrders"),
        {"symbol": BTC, "limit": "50"}, 20, list,
    )  # fmt: skip
    replaced = await w.check(
        "cancel_replace_order",
        c.cancel_replace_order(symbol=BTC, side="BUY", type="LIMIT", quantity="0.002",
                               price="48500", cancel_replace_mode="STOP_ON_FAILURE",
                               cancel_orig_client_order_id="w-1", new_client_order_id="w-3",
                               cancel_new_client_order_id="w-1c"),
        ("POST", "/api/v3/order/cancelReplace"),
        {**LIMIT_BUY, "cancelReplaceMode": "STOP_ON_FAILURE", "quantity": "0.002",
         "price": "48500", "cancelNewClientOrderId": "w-1c", "cancelOrigClientOrderId": "w-1",
         "newClientOrderId": "w-3"},
        1, ba.CancelReplaceResult,
    )  # fmt: skip
    assert replaced.succeeded and replaced.new_order is not None
    cancelled = await w.check(
        "cancel_order",
        c.cancel_order(symbol=BTC, orig_client_order_id="w-3", new_client_order_id="w-3c"),
        ("DELETE", "/api/v3/order"),
        {"symbol": BTC, "origClientOrderId": "w-3", "newClientOrderId": "w-3c"}, 1, ba.SpotOrder,
    )  # fmt: skip
    assert cancelled.status == "CANCELED" and cancelled.client_order_id == "w-3"
    assert cancelled.cancel_client_order_id == "w-3c"
    await c.new_order(symbol=BTC, side="BUY", type="LIMIT", quantity="0.001", price="49000")
    swept = await w.check(
        "cancel_open_orders", c.cancel_open_orders(BTC), ("DELETE", "/api/v3/openOrders"),
        {"symbol": BTC}, 1, list,
    )  # fmt: skip
    assert isinstance(one(swept), ba.SpotOrder)


async def order_lists(w: Walk) -> None:
    """Every order list method."""
    c = w.client
    oco = await w.check(
        "new_order_list_oco",
        c.new_order_list_oco(symbol=BTC, side="SELL", quantity="0.001",
                             above_type="LIMIT_MAKER", above_price="52000",
                             below_type="STOP_LOSS_LIMIT", below_price="47900",
                             below_stop_price="48000", list_client_order_id="l-1",
                             above_client_order_id="l-1a", below_client_order_id="l-1b"),
        ("POST", "/api/v3/orderList/oco"),
        {"symbol": BTC, "listClientOrderId": "l-1", "side": "SELL", "quantity": "0.001",
         "aboveType": "LIMIT_MAKER", "aboveClientOrderId": "l-1a", "abovePrice": "52000",
         "belowType": "STOP_LOSS_LIMIT", "belowClientOrderId": "l-1b", "belowPrice": "47900",
         "belowStopPrice": "48000", "belowTimeInForce": "GTC"},
        1, ba.OrderList,
    )  # fmt: skip
    assert oco.is_open and len(oco.order_reports) == 2
    await w.check(
        "new_order_list_oto",
        c.new_order_list_oto(symbol=BTC, working_type="LIMIT", working_side="BUY",
                             working_price="49000", working_quantity="0.001",
                             pending_type="LIMIT_MAKER", pending_side="SELL",
                             pending_price="52000", pending_quantity="0.001",
                             list_client_order_id="l-2", working_client_order_id="l-2w",
                             pending_client_order_id="l-2p"),
        ("POST", "/api/v3/orderList/oto"),
        {"symbol": BTC, "listClientOrderId": "l-2", "workingType": "LIMIT",
         "workingSide": "BUY", "workingClientOrderId": "l-2w", "workingPrice": "49000",
         "workingQuantity": "0.001", "workingTimeInForce": "GTC", "pendingType": "LIMIT_MAKER",
         "pendingSide": "SELL", "pendingClientOrderId": "l-2p", "pendingPrice": "52000",
         "pendingQuantity": "0.001"},
        1, ba.OrderList,
    )  # fmt: skip
    await w.check(
        "new_order_list_otoco",
        c.new_order_list_otoco(symbol=BTC, working_type="LIMIT_MAKER", working_side="BUY",
                               working_price="49000", working_quantity="0.001",
                               pending_side="SELL", pending_quantity="0.001",
                               pending_above_type="LIMIT_MAKER", pending_above_price="52000",
                               pending_below_type="STOP_LOSS", pending_below_stop_price="47000",
                               list_client_order_id="l-3", working_client_order_id="l-3w",
                               pending_above_client_order_id="l-3a",
                               pending_below_client_order_id="l-3b"),
        ("POST", "/api/v3/orderList/otoco"),
        {"symbol": BTC, "listClientOrderId": "l-3", "workingType": "LIMIT_MAKER",
         "workingSide": "BUY", "workingClientOrderId": "l-3w", "workingPrice": "49000",
         "workingQuantity": "0.001", "pendingSide": "SELL", "pendingQuantity": "0.001",
         "pendingAboveType": "LIMIT_MAKER", "pendingAboveClientOrderId": "l-3a",
         "pendingAbovePrice": "52000", "pendingBelowType": "STOP_LOSS",
         "pendingBelowClientOrderId": "l-3b", "pendingBelowStopPrice": "47000"},
        1, ba.OrderList,
    )  # fmt: skip
    got = await w.check(
        "get_order_list", c.get_order_list(list_client_order_id="l-1"),
        ("GET", "/api/v3/orderList"), {"origClientOrderId": "l-1"}, 4, ba.OrderList,
    )  # fmt: skip
    assert got.order_list_id == oco.order_list_id
    lists = await w.check(
        "open_order_lists", c.open_order_lists(), ("GET", "/api/v3/openOrderList"), {}, 6, list
    )
    assert {lst.list_client_order_id for lst in lists} == {"l-1", "l-2", "l-3"}
    await w.check(
        "all_order_lists", c.all_order_lists(limit=10), ("GET", "/api/v3/allOrderList"),
        {"limit": "10"}, 20, list,
    )  # fmt: skip
    done = await w.check(
        "cancel_order_list", c.cancel_order_list(symbol=BTC, list_client_order_id="l-1"),
        ("DELETE", "/api/v3/orderList"), {"symbol": BTC, "listClientOrderId": "l-1"}, 1,
        ba.OrderList,
    )  # fmt: skip
    assert done.status == "ALL_DONE" and not done.is_open


async def account(w: Walk) -> None:
    """Every account method."""
    c = w.client
    acct = await w.check(
        "account", c.account(omit_zero_balances=True), ("GET", "/api/v3/account"),
        {"omitZeroBalances": "true"}, 20, ba.SpotAccount,
    )  # fmt: skip
    usdt = acct.balance("USDT")
    assert usdt is not None and usdt.free > 0
    trades = await w.check(
        "my_trades", c.my_trades(BTC, limit=10), ("GET", "/api/v3/myTrades"),
        {"symbol": BTC, "limit": "10"}, 20, list,
    )  # fmt: skip
    trade = one(trades)
    assert isinstance(trade, ba.SpotTrade) and trade.price > 0
    await w.check(
        "my_trades", c.my_trades(BTC, order_id=trade.order_id), ("GET", "/api/v3/myTrades"),
        {"symbol": BTC, "orderId": str(trade.order_id)}, 5, list,
    )  # fmt: skip
    await w.check(
        "my_prevented_matches", c.my_prevented_matches(BTC, order_id=trade.order_id),
        ("GET", "/api/v3/myPreventedMatches"), {"symbol": BTC, "orderId": str(trade.order_id)},
        20, list,
    )  # fmt: skip
    rates = await w.check(
        "commission_rates", c.commission_rates(BTC), ("GET", "/api/v3/account/commission"),
        {"symbol": BTC}, 20, ba.CommissionRates,
    )  # fmt: skip
    assert rates.symbol == BTC
    usage = await w.check(
        "order_rate_limit", c.order_rate_limit(), ("GET", "/api/v3/rateLimit/order"), {}, 40,
        list,
    )  # fmt: skip
    assert {u.interval for u in usage} == {"SECOND", "DAY"}
    assert all(isinstance(u, ba.OrderCountUsage) for u in usage)
    assert Decimal(0) <= usdt.locked
