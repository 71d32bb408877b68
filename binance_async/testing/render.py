"""JSON shapes of orders, balances, accounts and positions, as the exchange prints them."""

from __future__ import annotations

from decimal import Decimal

from .engine import ZERO, Engine, Order

__all__ = ["account_payload", "balance_payload", "fmt", "order_payload", "position_risk_payload"]


def fmt(value: Decimal, places: int = 8) -> str:
    """A plain decimal string, at most ``places`` decimals, trailing zeros trimmed."""
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0")
        if text.endswith("."):
            text += "0"
    return "0.0" if text in ("-0.0", "0") else text


def order_payload(engine: Engine, order: Order, *, with_time: bool = False) -> dict[str, object]:
    """An order object (``time`` on queries; ``cumQty`` on placement responses)."""
    spec = engine.market.spec(order.symbol)
    body: dict[str, object] = {
        "orderId": order.order_id,
        "symbol": order.symbol,
        "status": order.status,
        "clientOrderId": order.client_order_id,
        "price": spec.fmt_price(order.price),
        "avgPrice": spec.fmt_price(order.avg_price),
        "origQty": spec.fmt_qty(order.qty),
        "executedQty": spec.fmt_qty(order.executed_qty),
        "cumQty": spec.fmt_qty(order.executed_qty),
        "cumQuote": fmt(order.cum_quote),
        "timeInForce": order.time_in_force,
        "type": order.type,
        "reduceOnly": order.reduce_only,
        "closePosition": order.close_position,
        "side": order.side,
        "positionSide": order.position_side,
        "stopPrice": spec.fmt_price(order.stop_price),
        "workingType": order.working_type,
        "priceProtect": order.price_protect,
        "origType": order.type,
        "priceMatch": order.price_match,
        "selfTradePreventionMode": order.stp_mode,
        "goodTillDate": order.good_till_date,
        "updateTime": order.update_time_ms,
    }
    if with_time:
        body["time"] = order.time_ms
    return body


def _symbols_of_interest(engine: Engine, account: str) -> list[str]:
    state = engine.account(account)
    open_symbols = {o.symbol for o in engine.open_orders(account)}
    return [
        s
        for s in engine.market.symbols
        if (s in state.positions and state.positions[s].amount != 0) or s in open_symbols
    ]


def _totals(engine: Engine, account: str) -> dict[str, Decimal]:
    state = engine.account(account)
    upnl = sum((engine.unrealized(account, s) for s in state.positions), ZERO)
    pos_im = sum((engine.position_margin(account, s) for s in state.positions), ZERO)
    order_im = engine.open_order_margin(account)
    available = engine.available(account)
    return {
        "wallet": state.wallet,
        "upnl": upnl,
        "margin": state.wallet + upnl,
        "pos_im": pos_im,
        "order_im": order_im,
        "maint": pos_im / 5,
        "available": available,
        "withdraw": max(ZERO, min(available, state.wallet)),
    }


def balance_payload(engine: Engine, account: str) -> list[dict[str, object]]:
    """GET /fapi/v2|v3/balance: one entry (USDT)."""
    t = _totals(engine, account)
    return [
        {
            "accountAlias": "SgsR",
            "asset": "USDT",
            "balance": fmt(t["wallet"]),
            "crossWalletBalance": fmt(t["wallet"]),
            "crossUnPnl": fmt(t["upnl"]),
            "availableBalance": fmt(t["available"]),
            "maxWithdrawAmount": fmt(t["withdraw"]),
            "marginAvailable": True,
            "updateTime": engine.account(account).update_time_ms,
        }
    ]


def account_payload(engine: Engine, account: str, *, version: int) -> dict[str, object]:
    """GET /fapi/v2|v3/account: totals, the USDT asset, and positions (v3: only active ones)."""
    t = _totals(engine, account)
    state = engine.account(account)
    asset = {
        "asset": "USDT",
        "walletBalance": fmt(t["wallet"]),
        "unrealizedProfit": fmt(t["upnl"]),
        "marginBalance": fmt(t["margin"]),
        "maintMargin": fmt(t["maint"]),
        "initialMargin": fmt(t["pos_im"] + t["order_im"]),
        "positionInitialMargin": fmt(t["pos_im"]),
        "openOrderInitialMargin": fmt(t["order_im"]),
        "crossWalletBalance": fmt(t["wallet"]),
        "crossUnPnl": fmt(t["upnl"]),
        "availableBalance": fmt(t["available"]),
        "maxWithdrawAmount": fmt(t["withdraw"]),
        "marginAvailable": True,
        "updateTime": state.update_time_ms,
    }
    symbols = list(engine.market.symbols) if version == 2 else _symbols_of_interest(engine, account)
    positions = []
    for symbol in symbols:
        pos = engine.position(account, symbol)
        im = engine.position_margin(account, symbol)
        upnl = engine.unrealized(account, symbol)
        entry: dict[str, object] = {
            "symbol": symbol,
            "positionSide": "BOTH",
            "positionAmt": fmt(pos.amount),
            "unrealizedProfit": fmt(upnl),
            "isolatedMargin": "0",
            "notional": fmt(pos.amount * engine.market.mark(symbol)),
            "isolatedWallet": "0",
            "initialMargin": fmt(im + engine.open_order_margin(account, symbol)),
            "maintMargin": fmt(im / 5),
            "updateTime": pos.update_time_ms,
        }
        if version == 2:
            entry.update(
                {
                    "positionInitialMargin": fmt(im),
                    "openOrderInitialMargin": fmt(engine.open_order_margin(account, symbol)),
                    "leverage": str(engine.leverage(account, symbol)),
                    "isolated": False,
                    "entryPrice": fmt(pos.entry_price),
                    "maxNotional": "5000000",
                    "bidNotional": "0",
                    "askNotional": "0",
                }
            )
        positions.append(entry)
    return {
        "feeTier": 0,
        "canTrade": True,
        "canDeposit": True,
        "canWithdraw": True,
        "updateTime": 0,
        "multiAssetsMargin": False,
        "tradeGroupId": -1,
        "totalInitialMargin": fmt(t["pos_im"] + t["order_im"]),
        "totalMaintMargin": fmt(t["maint"]),
        "totalWalletBalance": fmt(t["wallet"]),
        "totalUnrealizedProfit": fmt(t["upnl"]),
        "totalMarginBalance": fmt(t["margin"]),
        "totalPositionInitialMargin": fmt(t["pos_im"]),
        "totalOpenOrderInitialMargin": fmt(t["order_im"]),
        "totalCrossWalletBalance": fmt(t["wallet"]),
        "totalCrossUnPnl": fmt(t["upnl"]),
        "availableBalance": fmt(t["available"]),
        "maxWithdrawAmount": fmt(t["withdraw"]),
        "assets": [asset],
        "positions": positions,
    }


def position_risk_payload(
    engine: Engine, account: str, symbol: str | None, *, version: int
) -> list[dict[str, object]]:
    """GET /fapi/v2|v3/positionRisk (v3: only symbols with a position or open orders)."""
    if symbol is not None:
        symbols = [symbol]
    elif version == 2:
        symbols = list(engine.market.symbols)
    else:
        symbols = _symbols_of_interest(engine, account)
    result: list[dict[str, object]] = []
    for name in symbols:
        pos = engine.position(account, name)
        mark = engine.market.mark(name)
        spec = engine.market.spec(name)
        im = engine.position_margin(account, name)
        common: dict[str, object] = {
            "symbol": name,
            "positionSide": "BOTH",
            "positionAmt": fmt(pos.amount),
            "entryPrice": fmt(pos.entry_price),
            "breakEvenPrice": fmt(pos.entry_price),
            "markPrice": spec.fmt_price(mark),
            "unRealizedProfit": fmt(engine.unrealized(account, name)),
            "liquidationPrice": "0",
            "isolatedMargin": "0",
            "notional": fmt(pos.amount * mark),
            "isolatedWallet": "0",
            "updateTime": pos.update_time_ms,
        }
        if version == 2:
            common.update(
                {
                    "marginType": "cross",
                    "isAutoAddMargin": "false",
                    "leverage": str(engine.leverage(account, name)),
                    "maxNotionalValue": "5000000",
                }
            )
        else:
            order_im = engine.open_order_margin(account, name)
            common.update(
                {
                    "marginAsset": "USDT",
                    "initialMargin": fmt(im + order_im),
                    "maintMargin": fmt(im / 5),
                    "positionInitialMargin": fmt(im),
                    "openOrderInitialMargin": fmt(order_im),
                    "adl": 0,
                    "bidNotional": "0",
                    "askNotional": "0",
                }
            )
        result.append(common)
    return result
