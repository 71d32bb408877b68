"""User data stream events (reference/fapi-rules.md section 6).

Each is built by :func:`parse_user_event` from the event's JSON (``e`` names the type); the
raw event is kept. An order update carries the order as the REST API would show it
(:attr:`OrderUpdate.order`), an algo update the algo order (:attr:`AlgoUpdate.algo_order`),
so the account mirror and the reconciler hold one model per order, whichever way it came.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from .fields import to_bool, to_dec, to_int, to_opt_dec, to_opt_int, to_opt_str, to_str
from .orders import AlgoOrder, Order

__all__ = [
    "AccountConfigUpdate",
    "AccountUpdate",
    "AlgoUpdate",
    "BalanceUpdate",
    "ListenKeyExpired",
    "MarginCall",
    "OrderUpdate",
    "PositionUpdate",
    "TradeLite",
    "parse_user_event",
]

_RAW = attrs.field(repr=False, eq=False)


def _dec(obj: Mapping[str, Any], key: str) -> Decimal:
    return to_dec(obj.get(key, ""))


@attrs.frozen(kw_only=True, slots=True)
class OrderUpdate:
    """``ORDER_TRADE_UPDATE``: an order changed (``execution_type``: NEW, TRADE, CANCELED,
    EXPIRED, AMENDMENT, CALCULATED); ``order`` is its state now."""

    event_time_ms: int
    transaction_time_ms: int
    symbol: str
    client_order_id: str
    order_id: int
    side: str
    type: str
    time_in_force: str | None
    orig_qty: Decimal
    price: Decimal
    avg_price: Decimal
    stop_price: Decimal
    execution_type: str
    status: str
    last_filled_qty: Decimal
    filled_qty: Decimal
    last_filled_price: Decimal
    commission: Decimal
    commission_asset: str | None
    trade_id: int | None
    is_maker: bool
    reduce_only: bool
    close_position: bool
    position_side: str | None
    realized_profit: Decimal
    raw: Mapping[str, Any] = _RAW

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> OrderUpdate:
        """Build from an ``ORDER_TRADE_UPDATE`` event."""
        o = data["o"]
        return cls(
            event_time_ms=to_int(data["E"]),
            transaction_time_ms=to_int(data.get("T", data["E"])),
            symbol=to_str(o["s"]),
            client_order_id=to_str(o["c"]),
            order_id=to_int(o["i"]),
            side=to_str(o["S"]),
            type=to_str(o["o"]),
            time_in_force=to_opt_str(o.get("f")),
            orig_qty=_dec(o, "q"),
            price=_dec(o, "p"),
            avg_price=_dec(o, "ap"),
            stop_price=_dec(o, "sp"),
            execution_type=to_str(o["x"]),
            status=to_str(o["X"]),
            last_filled_qty=_dec(o, "l"),
            filled_qty=_dec(o, "z"),
            last_filled_price=_dec(o, "L"),
            commission=_dec(o, "n"),
            commission_asset=to_opt_str(o.get("N")),
            trade_id=to_opt_int(o.get("t")) or None,
            is_maker=to_bool(o.get("m", False)),
            reduce_only=to_bool(o.get("R", False)),
            close_position=to_bool(o.get("cp", False)),
            position_side=to_opt_str(o.get("ps")),
            realized_profit=_dec(o, "rp"),
            raw=data,
        )

    @property
    def order(self) -> Order:
        """The order as it stands after this event (``cum_quote`` is ``avg_price *
        filled_qty``: the event does not carry it)."""
        return Order(
            symbol=self.symbol,
            order_id=self.order_id,
            client_order_id=self.client_order_id,
            status=self.status,
            side=self.side,
            type=self.type,
            price=self.price,
            orig_qty=self.orig_qty,
            executed_qty=self.filled_qty,
            avg_price=self.avg_price,
            cum_quote=self.avg_price * self.filled_qty,
            time_in_force=self.time_in_force,
            reduce_only=self.reduce_only,
            close_position=self.close_position,
            position_side=self.position_side,
            update_time_ms=self.transaction_time_ms,
            raw=self.raw["o"],
        )


@attrs.frozen(kw_only=True, slots=True)
class AlgoUpdate:
    """``ALGO_UPDATE``: an algo (conditional) order changed; ``algo_order`` is its state."""

    event_time_ms: int
    transaction_time_ms: int
    algo_order: AlgoOrder
    raw: Mapping[str, Any] = _RAW

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> AlgoUpdate:
        """Build from an ``ALGO_UPDATE`` event."""
        o = data["o"]
        when = to_int(data.get("T", data["E"]))
        # @model's defaults are invisible to mypy: the fields left out have one.
        algo = AlgoOrder(  # type: ignore[call-arg]
            algo_id=to_int(o["aid"]),
            client_algo_id=to_str(o["caid"]),
            symbol=to_str(o["s"]),
            status=to_str(o["X"]),
            algo_type=to_str(o.get("at", "CONDITIONAL")),
            type=to_opt_str(o.get("o")),
            side=to_opt_str(o.get("S")),
            position_side=to_opt_str(o.get("ps")),
            time_in_force=to_opt_str(o.get("f")),
            quantity=to_opt_dec(o.get("q")),
            trigger_price=to_opt_dec(o.get("tp")),
            price=to_opt_dec(o.get("p")),
            working_type=to_opt_str(o.get("wt")),
            close_position=to_bool(o.get("cp", False)),
            reduce_only=to_bool(o.get("R", False)),
            price_protect=to_bool(o.get("pP", False)),
            update_time_ms=when,
            trigger_time_ms=to_opt_int(o.get("tt")) or None,
            actual_order_id=to_opt_int(o.get("ai")) or None,
            raw=o,
        )
        return cls(
            event_time_ms=to_int(data["E"]), transaction_time_ms=when, algo_order=algo, raw=data
        )


@attrs.frozen(kw_only=True, slots=True)
class BalanceUpdate:
    """One asset of an ``ACCOUNT_UPDATE``."""

    asset: str
    wallet_balance: Decimal
    cross_wallet_balance: Decimal
    #: Change other than PnL and commission.
    balance_change: Decimal


@attrs.frozen(kw_only=True, slots=True)
class PositionUpdate:
    """One position of an ``ACCOUNT_UPDATE`` (only changed positions are pushed)."""

    symbol: str
    position_side: str
    position_amt: Decimal
    entry_price: Decimal
    break_even_price: Decimal
    accumulated_realized: Decimal
    unrealized_profit: Decimal
    margin_type: str | None
    isolated_wallet: Decimal


@attrs.frozen(kw_only=True, slots=True)
class AccountUpdate:
    """``ACCOUNT_UPDATE``: balances and positions changed (``reason``: ORDER, FUNDING_FEE,
    DEPOSIT, MARGIN_TRANSFER ...)."""

    event_time_ms: int
    transaction_time_ms: int
    reason: str
    balances: tuple[BalanceUpdate, ...]
    positions: tuple[PositionUpdate, ...]
    raw: Mapping[str, Any] = _RAW

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> AccountUpdate:
        """Build from an ``ACCOUNT_UPDATE`` event."""
        a = data["a"]
        return cls(
            event_time_ms=to_int(data["E"]),
            transaction_time_ms=to_int(data.get("T", data["E"])),
            reason=to_str(a.get("m", "")),
            balances=tuple(
                BalanceUpdate(
                    asset=to_str(b["a"]),
                    wallet_balance=_dec(b, "wb"),
                    cross_wallet_balance=_dec(b, "cw"),
                    balance_change=_dec(b, "bc"),
                )
                for b in a.get("B", ())
            ),
            positions=tuple(
                PositionUpdate(
                    symbol=to_str(p["s"]),
                    position_side=to_str(p.get("ps", "BOTH")),
                    position_amt=_dec(p, "pa"),
                    entry_price=_dec(p, "ep"),
                    break_even_price=_dec(p, "bep"),
                    accumulated_realized=_dec(p, "cr"),
                    unrealized_profit=_dec(p, "up"),
                    margin_type=to_opt_str(p.get("mt")),
                    isolated_wallet=_dec(p, "iw"),
                )
                for p in a.get("P", ())
            ),
            raw=data,
        )


@attrs.frozen(kw_only=True, slots=True)
class MarginCall:
    """``MARGIN_CALL``: positions close to liquidation (``positions``: the raw items, with
    ``s ps pa mt iw mp up mm``)."""

    event_time_ms: int
    cross_wallet_balance: Decimal | None
    positions: tuple[Mapping[str, Any], ...]
    raw: Mapping[str, Any] = _RAW

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> MarginCall:
        """Build from a ``MARGIN_CALL`` event."""
        return cls(
            event_time_ms=to_int(data["E"]),
            cross_wallet_balance=to_opt_dec(data.get("cw")),
            positions=tuple(data.get("p", ())),
            raw=data,
        )


@attrs.frozen(kw_only=True, slots=True)
class AccountConfigUpdate:
    """``ACCOUNT_CONFIG_UPDATE``: a symbol's leverage (``symbol``, ``leverage``) or the
    Multi-Assets mode (``multi_assets``) changed."""

    event_time_ms: int
    transaction_time_ms: int
    symbol: str | None = None
    leverage: int | None = None
    multi_assets: bool | None = None
    raw: Mapping[str, Any] = _RAW

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> AccountConfigUpdate:
        """Build from an ``ACCOUNT_CONFIG_UPDATE`` event."""
        ac, ai = data.get("ac"), data.get("ai")
        return cls(
            event_time_ms=to_int(data["E"]),
            transaction_time_ms=to_int(data.get("T", data["E"])),
            symbol=to_opt_str(ac.get("s")) if ac else None,
            leverage=to_opt_int(ac.get("l")) if ac else None,
            multi_assets=to_bool(ai["j"]) if ai and "j" in ai else None,
            raw=data,
        )


@attrs.frozen(kw_only=True, slots=True)
class TradeLite:
    """``TRADE_LITE``: a fill, pushed faster than its ``ORDER_TRADE_UPDATE``."""

    event_time_ms: int
    transaction_time_ms: int
    symbol: str
    client_order_id: str
    order_id: int
    side: str
    trade_id: int
    orig_qty: Decimal
    price: Decimal
    last_filled_price: Decimal
    last_filled_qty: Decimal
    is_maker: bool
    raw: Mapping[str, Any] = _RAW

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> TradeLite:
        """Build from a ``TRADE_LITE`` event."""
        return cls(
            event_time_ms=to_int(data["E"]),
            transaction_time_ms=to_int(data.get("T", data["E"])),
            symbol=to_str(data["s"]),
            client_order_id=to_str(data["c"]),
            order_id=to_int(data["i"]),
            side=to_str(data["S"]),
            trade_id=to_int(data["t"]),
            orig_qty=_dec(data, "q"),
            price=_dec(data, "p"),
            last_filled_price=_dec(data, "L"),
            last_filled_qty=_dec(data, "l"),
            is_maker=to_bool(data.get("m", False)),
            raw=data,
        )


@attrs.frozen(kw_only=True, slots=True)
class ListenKeyExpired:
    """``listenKeyExpired``: the stream's key expired; nothing more comes on it (the user
    stream takes a new key by itself and does not yield this)."""

    event_time_ms: int
    listen_key: str | None
    raw: Mapping[str, Any] = _RAW

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> ListenKeyExpired:
        """Build from a ``listenKeyExpired`` event (its ``E`` may be a string)."""
        return cls(
            event_time_ms=to_int(data["E"]),
            listen_key=to_opt_str(data.get("listenKey")),
            raw=data,
        )


UserEvent = (
    OrderUpdate
    | AlgoUpdate
    | AccountUpdate
    | MarginCall
    | AccountConfigUpdate
    | TradeLite
    | ListenKeyExpired
)

_PARSERS: dict[str, Any] = {
    "ORDER_TRADE_UPDATE": OrderUpdate.from_event,
    "ALGO_UPDATE": AlgoUpdate.from_event,
    "ACCOUNT_UPDATE": AccountUpdate.from_event,
    "MARGIN_CALL": MarginCall.from_event,
    "ACCOUNT_CONFIG_UPDATE": AccountConfigUpdate.from_event,
    "TRADE_LITE": TradeLite.from_event,
    "listenKeyExpired": ListenKeyExpired.from_event,
}


def parse_user_event(data: Any) -> UserEvent | None:
    """The typed event of one user data message; None for a type not modelled
    (``STRATEGY_UPDATE`` ...). Raises ``KeyError``/``TypeError``/``ValueError`` for a
    malformed event of a modelled type."""
    if not isinstance(data, Mapping):
        raise TypeError(f"not an event: {data!r:.120}")
    parser = _PARSERS.get(data.get("e", ""))
    return None if parser is None else parser(data)
