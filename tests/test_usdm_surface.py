"""The whole public surface of UMFutures against the simulator, method by method: the exact
parameters on the wire (names and values, signing apart), the weight the exchange charged
(from the reference), and the model each call returns. A method listed but broken fails here;
a public method missing from the walk fails too."""

from __future__ import annotations

import inspect
from decimal import Decimal

import binance_async as ba
from binance_async import UMFutures
from binance_async.testing import Simulator

from .conftest import make_client
from .surface import Walk, one

BTC = "BTCUSDT"
#: Methods that are not calls of an endpoint.
NOT_ENDPOINTS = {"open", "aclose", "exchange_info_ttl_s", "symbol_info"}


async def test_every_public_method_reaches_its_endpoint_and_returns_its_model(
    sim: Simulator,
) -> None:
    """82 endpoints through the client's methods, each checked on the wire and in its model."""
    async with make_client(sim, sim.new_credentials("hmac"), recv_window_ms=5000) as client:
        w = Walk(sim, client)
        await market_data(w)
        await settings(w)
        await orders(w)
        await algo_orders(w)
        await account(w)
        await user_stream(w)
    public = {
        name
        for name, member in inspect.getmembers(UMFutures)
        if not name.startswith("_") and inspect.iscoroutinefunction(member)
    }
    assert public - NOT_ENDPOINTS == w.called


async def market_data(w: Walk) -> None:
    """Every market-data method."""
    c = w.client
    await w.check("ping", c.ping(), ("GET", "/fapi/v1/ping"), {}, 1, type(None))
    await w.check("server_time", c.server_time(), ("GET", "/fapi/v1/time"), {}, 1, int)
    await w.check(
        "exchange_info", c.exchange_info(), ("GET", "/fapi/v1/exchangeInfo"), {}, 1,
        ba.ExchangeInfo,
    )  # fmt: skip
    book = await w.check(
        "depth", c.depth(BTC, limit=100), ("GET", "/fapi/v1/depth"),
        {"symbol": BTC, "limit": "100"}, 5, ba.Depth,
    )  # fmt: skip
    assert book.bids and book.asks and book.bids[0][0] < book.asks[0][0]
    await w.check(
        "rpi_depth", c.rpi_depth(BTC), ("GET", "/fapi/v1/rpiDepth"),
        {"symbol": BTC, "limit": "1000"}, 20, ba.Depth,
    )  # fmt: skip
    await w.check(
        "trades", c.trades(BTC, limit=10), ("GET", "/fapi/v1/trades"),
        {"symbol": BTC, "limit": "10"}, 5, list,
    )  # fmt: skip
    await w.check(
        "historical_trades", c.historical_trades(BTC, limit=10),
        ("GET", "/fapi/v1/historicalTrades"), {"symbol": BTC, "limit": "10"}, 200, list,
    )  # fmt: skip
    await w.check(
        "agg_trades", c.agg_trades(BTC, limit=10), ("GET", "/fapi/v1/aggTrades"),
        {"symbol": BTC, "limit": "10"}, 20, list,
    )  # fmt: skip
    klines = await w.check(
        "klines", c.klines(BTC, "1m", limit=10), ("GET", "/fapi/v1/klines"),
        {"symbol": BTC, "interval": "1m", "limit": "10"}, 1, list,
    )  # fmt: skip
    assert isinstance(one(klines), ba.Kline)
    await w.check(
        "continuous_klines", c.continuous_klines(BTC, "PERPETUAL", "1h", limit=120),
        ("GET", "/fapi/v1/continuousKlines"),
        {"pair": BTC, "contractType": "PERPETUAL", "interval": "1h", "limit": "120"}, 2, list,
    )  # fmt: skip
    await w.check(
        "index_price_klines", c.index_price_klines(BTC, "1m", limit=600),
        ("GET", "/fapi/v1/indexPriceKlines"),
        {"pair": BTC, "interval": "1m", "limit": "600"}, 5, list,
    )  # fmt: skip
    await w.check(
        "mark_price_klines", c.mark_price_klines(BTC, "1m", limit=1200),
        ("GET", "/fapi/v1/markPriceKlines"),
        {"symbol": BTC, "interval": "1m", "limit": "1200"}, 10, list,
    )  # fmt: skip
    await w.check(
        "premium_index_klines", c.premium_index_klines(BTC, "1d"),
        ("GET", "/fapi/v1/premiumIndexKlines"), {"symbol": BTC, "interval": "1d"}, 5, list,
    )  # fmt: skip
    await w.check(
        "premium_index", c.premium_index(BTC), ("GET", "/fapi/v1/premiumIndex"),
        {"symbol": BTC}, 1, ba.MarkPrice,
    )  # fmt: skip
    assert isinstance(one(await c.premium_index()), ba.MarkPrice)
    await w.check(
        "funding_rate", c.funding_rate(BTC, limit=5), ("GET", "/fapi/v1/fundingRate"),
        {"symbol": BTC, "limit": "5"}, 1, list,
    )  # fmt: skip
    await w.check("funding_info", c.funding_info(), ("GET", "/fapi/v1/fundingInfo"), {}, 1, list)
    await w.check(
        "ticker_24hr", c.ticker_24hr(BTC), ("GET", "/fapi/v1/ticker/24hr"), {"symbol": BTC},
        1, ba.Ticker24h,
    )  # fmt: skip
    assert isinstance(one(await c.ticker_24hr()), ba.Ticker24h)
    await w.check(
        "ticker_price", c.ticker_price(BTC), ("GET", "/fapi/v2/ticker/price"),
        {"symbol": BTC}, 1, ba.PriceTicker,
    )  # fmt: skip
    await w.check(
        "ticker_price_v1", c.ticker_price_v1(), ("GET", "/fapi/v1/ticker/price"), {}, 2, list
    )
    await w.check(
        "book_ticker", c.book_ticker(BTC), ("GET", "/fapi/v1/ticker/bookTicker"),
        {"symbol": BTC}, 2, ba.BookTicker,
    )  # fmt: skip
    await w.check(
        "open_interest", c.open_interest(BTC), ("GET", "/fapi/v1/openInterest"),
        {"symbol": BTC}, 1, ba.OpenInterest,
    )  # fmt: skip
    stats = {"symbol": BTC, "period": "5m", "limit": "10"}
    for name, path, weight in [
        ("open_interest_hist", "openInterestHist", 1),
        ("top_long_short_position_ratio", "topLongShortPositionRatio", 0),
        ("top_long_short_account_ratio", "topLongShortAccountRatio", 0),
        ("global_long_short_account_ratio", "globalLongShortAccountRatio", 0),
        ("taker_long_short_ratio", "takerlongshortRatio", 0),
    ]:
        call = getattr(c, name)(BTC, "5m", limit=10)
        await w.check(name, call, ("GET", f"/futures/data/{path}"), stats, weight, list)
    await w.check(
        "basis", c.basis(BTC, "PERPETUAL", "5m", 10), ("GET", "/futures/data/basis"),
        {"pair": BTC, "contractType": "PERPETUAL", "period": "5m", "limit": "10"}, 0, list,
    )  # fmt: skip
    await w.check(
        "delivery_price", c.delivery_price(BTC), ("GET", "/futures/data/delivery-price"),
        {"pair": BTC}, 0, list,
    )  # fmt: skip
    await w.check("index_info", c.index_info(), ("GET", "/fapi/v1/indexInfo"), {}, 1, list)
    await w.check("asset_index", c.asset_index(), ("GET", "/fapi/v1/assetIndex"), {}, 10, list)
    await w.check(
        "constituents", c.constituents(BTC), ("GET", "/fapi/v1/constituents"),
        {"symbol": BTC}, 2, dict,
    )  # fmt: skip
    await w.check(
        "insurance_balance", c.insurance_balance(), ("GET", "/fapi/v1/insuranceBalance"), {},
        1, (list, dict),
    )  # fmt: skip
    await w.check(
        "symbol_adl_risk", c.symbol_adl_risk(), ("GET", "/fapi/v1/symbolAdlRisk"), {}, 1,
        (list, dict),
    )  # fmt: skip


async def settings(w: Walk) -> None:
    """Position mode, multi-assets mode, leverage, margin type: before any order."""
    c = w.client
    await w.check(
        "change_position_mode", c.change_position_mode(True),
        ("POST", "/fapi/v1/positionSide/dual"), {"dualSidePosition": "true"}, 1, dict,
    )  # fmt: skip
    assert await w.check(
        "get_position_mode", c.get_position_mode(), ("GET", "/fapi/v1/positionSide/dual"), {},
        30, bool,
    )  # fmt: skip
    await c.change_position_mode(False)
    await w.check(
        "change_multi_assets_mode", c.change_multi_assets_mode(True),
        ("POST", "/fapi/v1/multiAssetsMargin"), {"multiAssetsMargin": "true"}, 1, dict,
    )  # fmt: skip
    assert await w.check(
        "get_multi_assets_mode", c.get_multi_assets_mode(),
        ("GET", "/fapi/v1/multiAssetsMargin"), {}, 30, bool,
    )  # fmt: skip
    await c.change_multi_assets_mode(False)
    change = await w.check(
        "change_leverage", c.change_leverage(BTC, 10), ("POST", "/fapi/v1/leverage"),
        {"symbol": BTC, "leverage": "10"}, 1, ba.LeverageChange,
    )  # fmt: skip
    assert change.leverage == 10
    await w.check(
        "change_margin_type", c.change_margin_type("ETHUSDT", "ISOLATED"),
        ("POST", "/fapi/v1/marginType"), {"symbol": "ETHUSDT", "marginType": "ISOLATED"}, 1,
        dict,
    )  # fmt: skip


async def orders(w: Walk) -> None:
    """Every order method, on orders the walk places itself."""
    c = w.client
    placed = await w.check(
        "new_order",
        c.new_order(symbol=BTC, side="BUY", type="LIMIT", quantity=Decimal("0.010"),
                    price=Decimal("45000.0"), new_client_order_id="walk-1"),
        ("POST", "/fapi/v1/order"),
        {"symbol": BTC, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
         "quantity": "0.010", "price": "45000.0", "newClientOrderId": "walk-1"},
        0, ba.Order,
    )  # fmt: skip
    await w.check(
        "test_order", c.test_order(symbol=BTC, side="SELL", type="MARKET", quantity="0.002",
                                   new_client_order_id="walk-test"),
        ("POST", "/fapi/v1/order/test"),
        {"symbol": BTC, "side": "SELL", "type": "MARKET", "quantity": "0.002",
         "newClientOrderId": "walk-test"},
        1, dict,
    )  # fmt: skip
    ref = {"symbol": BTC, "origClientOrderId": "walk-1"}
    await w.check(
        "get_order", c.get_order(symbol=BTC, orig_client_order_id="walk-1"),
        ("GET", "/fapi/v1/order"), ref, 1, ba.Order,
    )  # fmt: skip
    await w.check(
        "get_open_order", c.get_open_order(symbol=BTC, order_id=placed.order_id),
        ("GET", "/fapi/v1/openOrder"), {"symbol": BTC, "orderId": str(placed.order_id)}, 1,
        ba.Order,
    )  # fmt: skip
    modified = await w.check(
        "modify_order",
        c.modify_order(symbol=BTC, side="BUY", quantity="0.010", price="45100.0",
                       orig_client_order_id="walk-1"),
        ("PUT", "/fapi/v1/order"),
        {"origClientOrderId": "walk-1", "symbol": BTC, "side": "BUY", "quantity": "0.010",
         "price": "45100.0"},
        0, ba.Order,
    )  # fmt: skip
    assert modified.price == Decimal("45100.0")
    await w.check(
        "order_amendment", c.order_amendment(symbol=BTC, orig_client_order_id="walk-1"),
        ("GET", "/fapi/v1/orderAmendment"), ref, 1, list,
    )  # fmt: skip
    assert placed.order_id in {o.order_id for o in await w.check(
        "open_orders", c.open_orders(BTC), ("GET", "/fapi/v1/openOrders"), {"symbol": BTC},
        1, list,
    )}  # fmt: skip
    await w.check(
        "all_orders", c.all_orders(BTC, limit=50), ("GET", "/fapi/v1/allOrders"),
        {"symbol": BTC, "limit": "50"}, 5, list,
    )  # fmt: skip
    items = [
        {"symbol": BTC, "side": "BUY", "type": "LIMIT", "quantity": "0.005",
         "price": "44000.0", "new_client_order_id": f"walk-b{n}"}
        for n in range(2)
    ]  # fmt: skip
    batch = await w.check(
        "new_batch_orders", c.new_batch_orders(items), ("POST", "/fapi/v1/batchOrders"),
        {"batchOrders": '[{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT",'
         '"timeInForce":"GTC","quantity":"0.005","price":"44000.0",'
         '"newClientOrderId":"walk-b0"},{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT",'
         '"timeInForce":"GTC","quantity":"0.005","price":"44000.0",'
         '"newClientOrderId":"walk-b1"}]'},
        5, list,
    )  # fmt: skip
    assert all(isinstance(o, ba.Order) for o in batch)
    moved = await w.check(
        "modify_batch_orders",
        c.modify_batch_orders([{"symbol": BTC, "side": "BUY", "quantity": "0.005",
                                "price": "44100.0", "orig_client_order_id": "walk-b0"}]),
        ("PUT", "/fapi/v1/batchOrders"),
        {"batchOrders": '[{"origClientOrderId":"walk-b0","symbol":"BTCUSDT","side":"BUY",'
         '"quantity":"0.005","price":"44100.0"}]'},
        5, list,
    )  # fmt: skip
    assert isinstance(moved[0], ba.Order) and moved[0].price == Decimal("44100.0")
    cancelled = await w.check(
        "cancel_batch_orders",
        c.cancel_batch_orders(symbol=BTC, orig_client_order_ids=["walk-b0", "walk-b1"]),
        ("DELETE", "/fapi/v1/batchOrders"),
        {"symbol": BTC, "origClientOrderIdList": '["walk-b0","walk-b1"]'}, 1, list,
    )  # fmt: skip
    assert [o.status for o in cancelled] == ["CANCELED", "CANCELED"]
    done = await w.check(
        "cancel_order", c.cancel_order(symbol=BTC, orig_client_order_id="walk-1"),
        ("DELETE", "/fapi/v1/order"), ref, 1, ba.Order,
    )  # fmt: skip
    assert done.status == "CANCELED"
    await c.new_order(symbol=BTC, side="BUY", type="MARKET", quantity="0.004",
                      new_client_order_id="walk-fill")  # fmt: skip
    fills = await w.check(
        "user_trades", c.user_trades(BTC, limit=10), ("GET", "/fapi/v1/userTrades"),
        {"symbol": BTC, "limit": "10"}, 5, list,
    )  # fmt: skip
    assert isinstance(one(fills), ba.UserTrade) and one(fills).qty == Decimal("0.004")
    await w.check("force_orders", c.force_orders(), ("GET", "/fapi/v1/forceOrders"), {}, 50, list)
    await w.check(
        "countdown_cancel_all", c.countdown_cancel_all(BTC, 60_000),
        ("POST", "/fapi/v1/countdownCancelAll"), {"symbol": BTC, "countdownTime": "60000"},
        10, dict,
    )  # fmt: skip
    await c.countdown_cancel_all(BTC, 0)
    await w.check(
        "cancel_all_open_orders", c.cancel_all_open_orders(BTC),
        ("DELETE", "/fapi/v1/allOpenOrders"), {"symbol": BTC}, 1, dict,
    )  # fmt: skip


async def algo_orders(w: Walk) -> None:
    """Every algo-order method."""
    c = w.client
    mark = w.sim.mark_price(BTC)
    trigger = (mark * Decimal("0.9")).quantize(Decimal("0.1"))
    algo = await w.check(
        "new_algo_order",
        c.new_algo_order(symbol=BTC, side="SELL", type="STOP_MARKET", quantity="0.004",
                         trigger_price=trigger, reduce_only=True, client_algo_id="walk-a1"),
        ("POST", "/fapi/v1/algoOrder"),
        {"algoType": "CONDITIONAL", "symbol": BTC, "side": "SELL", "type": "STOP_MARKET",
         "quantity": "0.004", "triggerPrice": str(trigger), "reduceOnly": "true",
         "clientAlgoId": "walk-a1"},
        0, ba.AlgoOrder,
    )  # fmt: skip
    assert algo.status == "NEW" and algo.client_algo_id == "walk-a1"
    await w.check(
        "get_algo_order", c.get_algo_order(client_algo_id="walk-a1"),
        ("GET", "/fapi/v1/algoOrder"), {"clientAlgoId": "walk-a1"}, 1, ba.AlgoOrder,
    )  # fmt: skip
    await w.check(
        "open_algo_orders", c.open_algo_orders(BTC), ("GET", "/fapi/v1/openAlgoOrders"),
        {"symbol": BTC}, 1, list,
    )  # fmt: skip
    await w.check(
        "all_algo_orders", c.all_algo_orders(BTC), ("GET", "/fapi/v1/allAlgoOrders"),
        {"symbol": BTC}, 5, list,
    )  # fmt: skip
    gone = await w.check(
        "cancel_algo_order", c.cancel_algo_order(client_algo_id="walk-a1"),
        ("DELETE", "/fapi/v1/algoOrder"), {"clientAlgoId": "walk-a1"}, 1, ba.AlgoOrder,
    )  # fmt: skip
    assert gone.status == "CANCELED"
    await w.check(
        "cancel_all_algo_orders", c.cancel_all_algo_orders(BTC),
        ("DELETE", "/fapi/v1/algoOpenOrders"), {"symbol": BTC}, 1, dict,
    )  # fmt: skip


async def account(w: Walk) -> None:
    """Every account method."""
    c = w.client
    for name, route, kind in [
        ("account", ("GET", "/fapi/v3/account"), ba.AccountInfo),
        ("account_v2", ("GET", "/fapi/v2/account"), ba.AccountInfo),
        ("balance", ("GET", "/fapi/v3/balance"), list),
        ("balance_v2", ("GET", "/fapi/v2/balance"), list),
        ("position_risk", ("GET", "/fapi/v3/positionRisk"), list),
        ("position_risk_v2", ("GET", "/fapi/v2/positionRisk"), list),
        ("adl_quantile", ("GET", "/fapi/v1/adlQuantile"), list),
        ("symbol_config", ("GET", "/fapi/v1/symbolConfig"), list),
    ]:
        await w.check(name, getattr(c, name)(), route, {}, 5, kind)
    await w.check("income", c.income(), ("GET", "/fapi/v1/income"), {}, 30, list)
    w.sim.set_commission(maker=Decimal("0.0002"), taker=Decimal("0.0005"))
    rate = await w.check(
        "commission_rate", c.commission_rate(BTC), ("GET", "/fapi/v1/commissionRate"),
        {"symbol": BTC}, 20, ba.CommissionRate,
    )  # fmt: skip
    assert (rate.maker_commission_rate, rate.taker_commission_rate) == (
        Decimal("0.0002"),
        Decimal("0.0005"),
    )
    brackets = await w.check(
        "leverage_bracket", c.leverage_bracket(BTC), ("GET", "/fapi/v1/leverageBracket"),
        {"symbol": BTC}, 1, list,
    )  # fmt: skip
    assert one(brackets).brackets
    await w.check(
        "account_config", c.account_config(), ("GET", "/fapi/v1/accountConfig"), {}, 5,
        ba.AccountConfig,
    )  # fmt: skip
    await w.check(
        "api_trading_status", c.api_trading_status(), ("GET", "/fapi/v1/apiTradingStatus"),
        {}, 10, dict,
    )  # fmt: skip
    await w.check(
        "order_rate_limit", c.order_rate_limit(), ("GET", "/fapi/v1/rateLimit/order"), {}, 1,
        list,
    )  # fmt: skip
    await w.check("get_fee_burn", c.get_fee_burn(), ("GET", "/fapi/v1/feeBurn"), {}, 30, bool)
    await w.check(
        "set_fee_burn", c.set_fee_burn(True), ("POST", "/fapi/v1/feeBurn"),
        {"feeBurn": "true"}, 1, dict,
    )  # fmt: skip
    await c.new_order(symbol="ETHUSDT", side="BUY", type="MARKET", quantity="0.050",
                      new_client_order_id="walk-eth")  # fmt: skip
    await w.check(
        "modify_position_margin", c.modify_position_margin("ETHUSDT", "10", 1),
        ("POST", "/fapi/v1/positionMargin"), {"symbol": "ETHUSDT", "amount": "10", "type": "1"},
        1, dict,
    )  # fmt: skip
    history = await w.check(
        "position_margin_history", c.position_margin_history("ETHUSDT"),
        ("GET", "/fapi/v1/positionMargin/history"), {"symbol": "ETHUSDT"}, 1, list,
    )  # fmt: skip
    assert one(history).amount == Decimal("10")


async def user_stream(w: Walk) -> None:
    """The listenKey methods (API key, no signature)."""
    c = w.client
    key = await w.check(
        "new_listen_key", c.new_listen_key(), ("POST", "/fapi/v1/listenKey"), {}, 1, str
    )
    assert key
    await w.check(
        "keepalive_listen_key", c.keepalive_listen_key(), ("PUT", "/fapi/v1/listenKey"), {}, 1,
        type(None),
    )  # fmt: skip
    await w.check(
        "close_listen_key", c.close_listen_key(), ("DELETE", "/fapi/v1/listenKey"), {}, 1,
        type(None),
    )  # fmt: skip
