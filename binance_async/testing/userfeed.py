"""User data events from the engine's changes (reference/fapi-rules.md section 6).

Every order state stored becomes an ``ORDER_TRADE_UPDATE`` (``x``: NEW for a new order, TRADE
when it filled more, with the fill's price, quantity, trade id, commission and realized PnL;
CANCELED or EXPIRED when it ended so; AMENDMENT when its price or quantity changed); a fill is
also a ``TRADE_LITE`` and an ``ACCOUNT_UPDATE`` (reason ORDER: the wallet and the position it
moved). Every algo order state is an ``ALGO_UPDATE``; an isolated margin change an
``ACCOUNT_UPDATE`` (MARGIN_TRANSFER); a leverage or Multi-Assets change an
``ACCOUNT_CONFIG_UPDATE``. ``E`` never goes back for an account (the exchange's clock may be
frozen or jumped by a test).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import margin
from .accounts import ZERO
from .algo import AlgoOrder
from .engine import Order
from .render import fmt
from .state import ExchangeState

__all__ = ["UserFeed"]

Publish = Callable[[str, dict[str, Any]], None]

_ENDED = {"CANCELED": "CANCELED", "EXPIRED": "EXPIRED", "EXPIRED_IN_MATCH": "EXPIRED"}


class UserFeed:
    """Turns changes into user data events and hands them to ``publish(account, event)``."""

    def __init__(self, state: ExchangeState, publish: Publish) -> None:
        self._state = state
        self._publish = publish
        self._orders: dict[int, Order] = {}
        self._last_event_ms: dict[str, int] = {}
        observers = state.engine.observers
        observers.orders.append(self._order)
        observers.algos.append(self._algo)
        observers.accounts.append(self._account_change)
        observers.configs.append(self._config)

    def _now(self, account: str) -> int:
        now = max(self._state.clock.now_ms(), self._last_event_ms.get(account, 0))
        self._last_event_ms[account] = now
        return now

    # -- orders ----------------------------------------------------------------------------

    def _order(self, order: Order) -> None:
        previous = self._orders.get(order.order_id)
        self._orders[order.order_id] = order
        fill: dict[str, Any] = {}
        if previous is None:
            execution = "NEW"
        elif order.executed_qty > previous.executed_qty:
            execution = "TRADE"
            fill = self._fill(order)
        elif order.status != previous.status and order.status in _ENDED:
            execution = _ENDED[order.status]
        elif (order.price, order.qty) != (previous.price, previous.qty):
            execution = "AMENDMENT"
        else:
            return
        now = self._now(order.account)
        spec = self._state.market.spec(order.symbol)
        trade_time = fill.get("time", order.update_time_ms)
        body = {
            "s": order.symbol,
            "c": order.client_order_id,
            "S": order.side,
            "o": order.type,
            "f": order.time_in_force,
            "q": spec.fmt_qty(order.qty),
            "p": spec.fmt_price(order.price),
            "ap": spec.fmt_price(order.avg_price),
            "sp": spec.fmt_price(order.stop_price),
            "x": execution,
            "X": order.status,
            "i": order.order_id,
            "l": spec.fmt_qty(fill.get("qty", ZERO)),
            "z": spec.fmt_qty(order.executed_qty),
            "L": spec.fmt_price(fill.get("price", ZERO)),
            "N": "USDT",
            "n": fmt(fill.get("commission", ZERO)),
            "T": trade_time,
            "t": fill.get("trade_id", 0),
            "b": "0",
            "a": "0",
            "m": fill.get("maker", False),
            "R": order.reduce_only,
            "wt": order.working_type,
            "ot": order.type,
            "ps": order.position_side,
            "cp": order.close_position,
            "pP": order.price_protect,
            "si": 0,
            "ss": 0,
            "rp": fmt(fill.get("realized", ZERO)),
            "V": order.stp_mode,
            "pm": order.price_match,
            "gtd": order.good_till_date,
            "er": "0",
        }
        if fill:
            self._publish(
                order.account,
                {
                    "e": "TRADE_LITE",
                    "E": now,
                    "T": trade_time,
                    "s": order.symbol,
                    "q": body["q"],
                    "p": body["p"],
                    "m": body["m"],
                    "c": order.client_order_id,
                    "S": order.side,
                    "L": body["L"],
                    "l": body["l"],
                    "t": body["t"],
                    "i": order.order_id,
                },
            )
        self._publish(
            order.account, {"e": "ORDER_TRADE_UPDATE", "E": now, "T": trade_time, "o": body}
        )
        if fill:
            self._account_update(
                order.account, "ORDER", order.symbol, order.position_side, now, trade_time
            )

    def _fill(self, order: Order) -> dict[str, Any]:
        """The fill just recorded for ``order`` (the engine settles it, then stores it)."""
        trades = self._state.engine.books.trades
        trade = trades[-1] if trades else None
        if trade is None or trade.order_id != order.order_id:
            return {"time": order.update_time_ms}
        return {
            "qty": trade.qty,
            "price": trade.price,
            "commission": trade.commission,
            "realized": trade.realized_pnl,
            "trade_id": trade.trade_id,
            "maker": trade.maker,
            "time": trade.time_ms,
        }

    # -- algo orders -----------------------------------------------------------------------

    def _algo(self, algo: AlgoOrder) -> None:
        req = algo.request
        spec = self._state.market.spec(req.symbol)
        actual = self._state.algos.actual_order(algo)
        now = self._now(algo.account)
        body = {
            "caid": algo.client_algo_id,
            "aid": algo.algo_id,
            "at": "CONDITIONAL",
            "o": req.order_type,
            "s": req.symbol,
            "S": req.side,
            "ps": req.position_side,
            "f": req.time_in_force,
            "q": spec.fmt_qty(req.quantity),
            "X": algo.status,
            "ai": "" if actual is None else str(actual.order_id),
            "ap": spec.fmt_price(actual.avg_price if actual else ZERO),
            "aq": spec.fmt_qty(actual.executed_qty if actual else ZERO),
            "act": "" if actual is None else actual.type,
            "tp": spec.fmt_price(req.trigger_price),
            "p": spec.fmt_price(req.price),
            "V": req.stp_mode,
            "wt": req.working_type,
            "pm": req.price_match,
            "cp": req.close_position,
            "pP": req.price_protect,
            "R": req.reduce_only,
            "tt": algo.trigger_time_ms,
            "gtd": req.good_till_date,
            "rm": "",
        }
        self._publish(
            algo.account,
            {"e": "ALGO_UPDATE", "E": now, "T": algo.update_time_ms, "o": body},
        )

    # -- balances, positions, settings -----------------------------------------------------

    def _account_change(self, account: str, reason: str, symbol: str, side: str) -> None:
        now = self._now(account)
        self._account_update(account, reason, symbol, side, now, now)

    def _account_update(
        self, account: str, reason: str, symbol: str, side: str, now: int, when: int
    ) -> None:
        engine = self._state.engine
        state = engine.account(account)
        pos = state.position(symbol, side)
        spec = self._state.market.spec(symbol)
        wallet = fmt(state.wallet)
        position = {
            "s": symbol,
            "pa": spec.fmt_qty(pos.amount) if pos.amount else "0",
            "ep": fmt(pos.entry_price),
            "bep": fmt(pos.entry_price),
            "cr": "0",
            "up": fmt(margin.unrealized(engine, pos)),
            "mt": "isolated" if symbol in state.isolated else "cross",
            "iw": fmt(pos.isolated_wallet),
            "ps": side,
        }
        self._publish(
            account,
            {
                "e": "ACCOUNT_UPDATE",
                "E": now,
                "T": when,
                "a": {
                    "m": reason,
                    "B": [{"a": "USDT", "wb": wallet, "cw": wallet, "bc": "0"}],
                    "P": [position],
                },
            },
        )

    def _config(self, account: str, change: dict[str, Any]) -> None:
        now = self._now(account)
        event: dict[str, Any] = {"e": "ACCOUNT_CONFIG_UPDATE", "E": now, "T": now}
        if "leverage" in change:
            event["ac"] = {"s": change["symbol"], "l": change["leverage"]}
        else:
            event["ai"] = {"j": bool(change.get("multi_assets"))}
        self._publish(account, event)
