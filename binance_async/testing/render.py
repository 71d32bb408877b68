"""JSON shapes of orders, balances, accounts and positions, as the exchange prints them."""

from __future__ import annotations

from decimal import Decimal

from . import margin
from .accounts import Position, max_notional
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
    return [s for s in engine.market.symbols if state.has_position(s) or s in open_symbols]


def _positions(engine: Engine, account: str, symbols: list[str]) -> list[Position]:
    """Every side of each symbol in the account's mode (BOTH, or LONG and SHORT)."""
    state = engine.account(account)
    return [state.position(s, side) for s in symbols for side in state.sides()]


def _side_order_margin(engine: Engine, account: str, pos: Position) -> Decimal:
    return sum(
        (
            (o.qty - o.executed_qty) * o.price / engine.leverage(account, o.symbol)
            for o in engine.open_orders(account, pos.symbol)
            if o.position_side == pos.position_side
            and not o.reduce_only
            and not margin.closes_hedge(o.position_side, o.side)
        ),
        ZERO,
    )


def _isolated(engine: Engine, account: str, pos: Position) -> tuple[str, str]:
    """(isolatedMargin, isolatedWallet) strings: "0" for a cross position."""
    if pos.symbol not in engine.account(account).isolated:
        return "0", "0"
    wallet = pos.isolated_wallet
    return fmt(wallet + margin.unrealized(engine, pos)), fmt(wallet)


def _totals(engine: Engine, account: str) -> dict[str, Decimal]:
    state = engine.account(account)
    positions = list(state.positions.values())
    upnl = sum((margin.unrealized(engine, p) for p in positions), ZERO)
    pos_im = sum((margin.position_margin(engine, account, p) for p in positions), ZERO)
    order_im = margin.order_margin(engine, account)
    available = margin.available(engine, account)
    return {
        "wallet": state.wallet,
        "upnl": upnl,
        "margin": state.wallet + upnl,
        "pos_im": pos_im,
        "order_im": order_im,
        "maint": sum((margin.maint_margin(engine, p) for p in positions), ZERO),
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


def _account_position(
    engine: Engine, account: str, pos: Position, version: int
) -> dict[str, object]:
    im = margin.position_margin(engine, account, pos)
    order_im = _side_order_margin(engine, account, pos)
    isolated_margin, isolated_wallet = _isolated(engine, account, pos)
    entry: dict[str, object] = {
        "symbol": pos.symbol,
        "positionSide": pos.position_side,
        "positionAmt": fmt(pos.amount),
        "unrealizedProfit": fmt(margin.unrealized(engine, pos)),
        "isolatedMargin": isolated_margin,
        "notional": fmt(pos.amount * engine.market.mark(pos.symbol)),
        "isolatedWallet": isolated_wallet,
        "initialMargin": fmt(im + order_im),
        "maintMargin": fmt(margin.maint_margin(engine, pos)),
        "updateTime": pos.update_time_ms,
    }
    if version == 2:
        lev = engine.leverage(account, pos.symbol)
        entry.update(
            {
                "positionInitialMargin": fmt(im),
                "openOrderInitialMargin": fmt(order_im),
                "leverage": str(lev),
                "isolated": pos.symbol in engine.account(account).isolated,
                "entryPrice": fmt(pos.entry_price),
                "maxNotional": str(max_notional(pos.symbol, lev)),
                "bidNotional": "0",
                "askNotional": "0",
            }
        )
    return entry


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
    positions = [
        _account_position(engine, account, p, version) for p in _positions(engine, account, symbols)
    ]
    return {
        "feeTier": 0,
        "canTrade": True,
        "canDeposit": True,
        "canWithdraw": True,
        "updateTime": 0,
        "multiAssetsMargin": state.multi_assets,
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


def _risk(engine: Engine, account: str, pos: Position, version: int) -> dict[str, object]:
    mark = engine.market.mark(pos.symbol)
    spec = engine.market.spec(pos.symbol)
    im = margin.position_margin(engine, account, pos)
    isolated_margin, isolated_wallet = _isolated(engine, account, pos)
    isolated = pos.symbol in engine.account(account).isolated
    entry: dict[str, object] = {
        "symbol": pos.symbol,
        "positionSide": pos.position_side,
        "positionAmt": fmt(pos.amount),
        "entryPrice": fmt(pos.entry_price),
        "breakEvenPrice": fmt(pos.entry_price),
        "markPrice": spec.fmt_price(mark),
        "unRealizedProfit": fmt(margin.unrealized(engine, pos)),
        "liquidationPrice": "0",
        "isolatedMargin": isolated_margin,
        "notional": fmt(pos.amount * mark),
        "isolatedWallet": isolated_wallet,
        "updateTime": pos.update_time_ms,
    }
    if version == 2:
        lev = engine.leverage(account, pos.symbol)
        entry.update(
            {
                "marginType": "isolated" if isolated else "cross",
                "isAutoAddMargin": "false",
                "leverage": str(lev),
                "maxNotionalValue": str(max_notional(pos.symbol, lev)),
            }
        )
    else:
        order_im = _side_order_margin(engine, account, pos)
        entry.update(
            {
                "marginAsset": "USDT",
                "initialMargin": fmt(im + order_im),
                "maintMargin": fmt(margin.maint_margin(engine, pos)),
                "positionInitialMargin": fmt(im),
                "openOrderInitialMargin": fmt(order_im),
                "adl": 0,
                "bidNotional": "0",
                "askNotional": "0",
            }
        )
    return entry


def position_risk_payload(
    engine: Engine, account: str, symbol: str | None, *, version: int
) -> list[dict[str, object]]:
    """GET /fapi/v2|v3/positionRisk: one entry per symbol and side (both sides in hedge mode);
    v3 only for symbols with a position or open orders."""
    if symbol is not None:
        symbols = [symbol]
    elif version == 2:
        symbols = list(engine.market.symbols)
    else:
        symbols = _symbols_of_interest(engine, account)
    return [_risk(engine, account, p, version) for p in _positions(engine, account, symbols)]
