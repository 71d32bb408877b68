"""The Algo Service: conditional orders waiting for the mark price, then placed in the engine.

Statuses as documented for ALGO_UPDATE: NEW (waiting), TRIGGERING (condition met, being
placed), TRIGGERED (the resulting order rests in the book), FINISHED (it filled or ended),
CANCELED, REJECTED (the engine refused it, e.g. margin) and EXPIRED (cancelled by the system:
a GTD that passed, or a close-position order with no position left to close).
"""

from __future__ import annotations

import secrets
from decimal import Decimal

import attrs

from .accounts import ZERO
from .algoparse import AlgoRequest
from .engine import Engine, Order
from .errors import ApiError
from .orders import OrderRequest, matched_price

__all__ = ["OPEN_ALGO_STATUSES", "AlgoBook", "AlgoOrder"]

OPEN_ALGO_STATUSES = frozenset({"NEW"})
_FIRST_ALGO_ID = 3_000_000_000_001  # above 2**32, as order ids
_MARKET_TYPES = frozenset({"STOP_MARKET", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"})


@attrs.frozen(kw_only=True)
class AlgoOrder:
    """One conditional order as the Algo Service holds it (replaced when its state changes)."""

    account: str
    algo_id: int
    client_algo_id: str
    request: AlgoRequest
    status: str
    create_time_ms: int
    update_time_ms: int
    trigger_time_ms: int = 0
    actual_order_id: int | None = None
    #: Trailing stops: whether the activation price was reached, and the extreme since then.
    activated: bool = False
    extreme: Decimal = ZERO

    @property
    def symbol(self) -> str:
        """The order's symbol."""
        return self.request.symbol

    @property
    def is_open(self) -> bool:
        """Waiting for its trigger."""
        return self.status in OPEN_ALGO_STATUSES


def _triggers(req: AlgoRequest, price: Decimal) -> bool:
    """STOP*: BUY when price >= trigger, SELL when <=; TAKE_PROFIT*: the reverse."""
    if req.order_type.startswith("STOP"):
        return price >= req.trigger_price if req.side == "BUY" else price <= req.trigger_price
    return price <= req.trigger_price if req.side == "BUY" else price >= req.trigger_price


def _trail(algo: AlgoOrder, price: Decimal) -> tuple[AlgoOrder, bool]:
    """Follow the price: after activation, trigger on a ``callbackRate`` % retreat."""
    req = algo.request
    rate = (req.callback_rate or ZERO) / 100
    buy = req.side == "BUY"
    if not algo.activated:
        activate = req.activate_price
        reached = activate is None or (price <= activate if buy else price >= activate)
        if not reached:
            return algo, False
        return attrs.evolve(algo, activated=True, extreme=price), False
    extreme = min(algo.extreme, price) if buy else max(algo.extreme, price)
    fired = price >= extreme * (1 + rate) if buy else price <= extreme * (1 - rate)
    return attrs.evolve(algo, extreme=extreme), fired


class AlgoBook:
    """Every account's conditional orders; triggers them on the mark price."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.algos: dict[int, AlgoOrder] = {}
        self._next_id = _FIRST_ALGO_ID
        self._by_client: dict[tuple[str, str], int] = {}
        self._latest_client: dict[str, int] = {}
        #: (account, symbol) -> ids of the waiting algo orders, in placement order.
        self._open: dict[tuple[str, str], dict[int, None]] = {}
        #: Ids that time can change: waiting GTD ones, and triggered ones.
        self._watch: set[int] = set()

    def find(
        self, account: str, algo_id: int | None, client_algo_id: str | None
    ) -> AlgoOrder | None:
        """The account's algo order by id (wins) or the latest with that client algo id."""
        if algo_id is None:
            algo_id = self._by_client.get((account, client_algo_id or ""))
        algo = self.algos.get(algo_id) if algo_id is not None else None
        return algo if algo is not None and algo.account == account else None

    def latest_by_client_id(self, client_algo_id: str) -> AlgoOrder | None:
        """The most recent algo order (any account) with this client algo id."""
        algo_id = self._latest_client.get(client_algo_id)
        return None if algo_id is None else self.algos[algo_id]

    def open_orders(self, account: str, symbol: str | None = None) -> list[AlgoOrder]:
        """The account's algo orders waiting for their trigger, oldest first."""
        keys = [(account, symbol)] if symbol else [k for k in self._open if k[0] == account]
        found = [self.algos[i] for key in keys for i in self._open.get(key, {})]
        return sorted(found, key=lambda a: a.algo_id) if symbol is None else found

    def place(self, account: str, req: AlgoRequest, now_ms: int) -> AlgoOrder:
        """Accept a conditional order (no margin check before it triggers)."""
        self.refresh(now_ms)
        client_id = req.client_algo_id or secrets.token_urlsafe(16)
        previous = self.find(account, None, client_id)
        if previous is not None and previous.is_open:
            raise ApiError(-4116, "ClientOrderId is duplicated.")
        spec = self.engine.market.spec(req.symbol)
        if len(self.open_orders(account, req.symbol)) >= spec.max_num_algo_orders:
            raise ApiError(-4045, "Reach max stop order limit.")
        price = self.engine.market.mark(req.symbol)
        algo = AlgoOrder(
            account=account,
            algo_id=self._next_id,
            client_algo_id=client_id,
            request=req,
            status="NEW",
            create_time_ms=now_ms,
            update_time_ms=now_ms,
        )
        if req.order_type == "TRAILING_STOP_MARKET":
            activate = req.activate_price
            if activate is not None and (
                activate >= price if req.side == "BUY" else activate <= price
            ):
                raise ApiError(-2021, "Order would immediately trigger.")
            algo, _ = _trail(algo, price)
        elif _triggers(req, price):
            raise ApiError(-2021, "Order would immediately trigger.")
        self._next_id += 1
        self._store(algo)
        self._by_client[(account, client_id)] = algo.algo_id
        self._latest_client[client_id] = algo.algo_id
        return algo

    def cancel(
        self, account: str, algo_id: int | None, client_algo_id: str | None, now_ms: int
    ) -> AlgoOrder:
        """Cancel a waiting algo order; -2011 when it is not waiting."""
        self.refresh(now_ms)
        algo = self.find(account, algo_id, client_algo_id)
        if algo is None or not algo.is_open:
            raise ApiError(-2011, "Unknown order sent.")
        return self._store(attrs.evolve(algo, status="CANCELED", update_time_ms=now_ms))

    def cancel_all(self, account: str, symbol: str, now_ms: int) -> list[AlgoOrder]:
        """Cancel every waiting algo order of the account on ``symbol``."""
        self.refresh(now_ms)
        return [
            self._store(attrs.evolve(a, status="CANCELED", update_time_ms=now_ms))
            for a in self.open_orders(account, symbol)
        ]

    def refresh(self, now_ms: int) -> None:
        """Expire GTD algo orders that passed; finish triggered ones whose order ended."""
        for algo_id in sorted(self._watch):
            algo = self.algos[algo_id]
            req = algo.request
            if algo.is_open and req.time_in_force == "GTD" and req.good_till_date <= now_ms:
                self._store(attrs.evolve(algo, status="EXPIRED", update_time_ms=now_ms))
            elif algo.status == "TRIGGERED" and algo.actual_order_id is not None:
                order = self.engine.orders[algo.actual_order_id]
                if not order.is_open:
                    update = max(algo.update_time_ms, order.update_time_ms)
                    self._store(attrs.evolve(algo, status="FINISHED", update_time_ms=update))

    def actual_order(self, algo: AlgoOrder) -> Order | None:
        """The order placed when the algo order triggered."""
        return None if algo.actual_order_id is None else self.engine.orders[algo.actual_order_id]

    def on_price(self, symbol: str, now_ms: int) -> None:
        """Evaluate every waiting algo order on ``symbol`` against the mark price."""
        self.refresh(now_ms)
        price = self.engine.market.mark(symbol)
        waiting = [i for (_, s), ids in self._open.items() if s == symbol for i in ids]
        for algo_id in sorted(waiting):
            algo = self.algos[algo_id]
            if not algo.is_open:
                continue
            if algo.request.order_type == "TRAILING_STOP_MARKET":
                algo, fired = _trail(algo, price)
                self._store(algo)
            else:
                fired = _triggers(algo.request, price)
            if fired:
                self._trigger(algo, now_ms)
        self.refresh(now_ms)

    # -- internals ------------------------------------------------------------------------------

    def _store(self, algo: AlgoOrder) -> AlgoOrder:
        self.algos[algo.algo_id] = algo
        key = (algo.account, algo.symbol)
        if algo.is_open:
            self._open.setdefault(key, {})[algo.algo_id] = None
        else:
            self._open.get(key, {}).pop(algo.algo_id, None)
        gtd = algo.is_open and algo.request.time_in_force == "GTD"
        if gtd or algo.status == "TRIGGERED":
            self._watch.add(algo.algo_id)
        else:
            self._watch.discard(algo.algo_id)
        self.engine.observers.algo(algo)
        return algo

    def _close_qty(self, algo: AlgoOrder) -> Decimal:
        req = algo.request
        pos = self.engine.position(algo.account, req.symbol, req.position_side).amount
        reducing = pos < 0 if req.side == "BUY" else pos > 0
        return abs(pos) if reducing else ZERO

    def _trigger(self, algo: AlgoOrder, now_ms: int) -> None:
        req = algo.request
        algo = self._store(
            attrs.evolve(algo, status="TRIGGERING", trigger_time_ms=now_ms, update_time_ms=now_ms)
        )
        qty = self._close_qty(algo) if req.close_position else req.quantity
        if qty <= 0:
            self._store(attrs.evolve(algo, status="EXPIRED"))
            return
        spec = self.engine.market.spec(req.symbol)
        market = req.order_type in _MARKET_TYPES
        price = req.price
        if not market and req.price_match != "NONE":
            price = matched_price(
                spec, req.side, req.price_match, self.engine.market.mark(req.symbol)
            )
        order = OrderRequest(
            symbol=req.symbol,
            side=req.side,
            type="MARKET" if market else "LIMIT",
            quantity=qty,
            price=ZERO if market else price,
            time_in_force="GTC" if market else req.time_in_force,
            reduce_only=(req.reduce_only or req.close_position) and req.position_side == "BOTH",
            position_side=req.position_side,
            client_order_id=None,
            resp_type="ACK",
            working_type=req.working_type,
            price_protect=req.price_protect,
            price_match="NONE",
            stp_mode=req.stp_mode,
            good_till_date=req.good_till_date,
            close_position=req.close_position,
        )
        try:
            _, final = self.engine.place(algo.account, order, now_ms)
        except ApiError:
            self._store(attrs.evolve(algo, status="REJECTED"))
            return
        status = "TRIGGERED" if final.is_open else "FINISHED"
        self._store(attrs.evolve(algo, status=status, actual_order_id=final.order_id))
