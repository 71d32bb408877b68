"""The USDⓈ-M futures client: typed methods over the gateway."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp

from . import filters
from .batches import Batches
from .clock import SYSTEM_TIME, ServerClock, TimeSource
from .config import USDM_PRODUCTION_URL, USDM_TESTNET_URL, ClientConfig, RetryConfig
from .endpoints import Endpoint
from .endpoints import usdm as ep
from .errors import BinanceError, InvalidRequest, UnknownSymbol
from .gateway import Gateway, GatewayStats
from .limits import LimitsSnapshot, Priority
from .models import AccountInfo, Balance, ExchangeInfo, Order, Position, SymbolInfo
from .reconcile import Reconciler, check_client_order_id
from .reconcile import new_client_order_id as _generate_client_order_id
from .signing import make_signer

__all__ = ["UMFutures"]

Amount = Decimal | int | float | str

_SIDES = frozenset({"BUY", "SELL"})
_TYPES = frozenset({"LIMIT", "MARKET"})
#: Moved to the algo-order endpoint (POST /fapi/v1/algoOrder) by the Algo Service migration.
_ALGO_TYPES = frozenset(
    {"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"}
)
_TIME_IN_FORCE = frozenset({"GTC", "IOC", "FOK", "GTX", "GTD", "RPI"})
_POSITION_SIDES = frozenset({"BOTH", "LONG", "SHORT"})
_RESP_TYPES = frozenset({"ACK", "RESULT"})
_STP_MODES = frozenset({"NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"})
_PRICE_MATCH = frozenset(
    {
        "OPPONENT",
        "OPPONENT_5",
        "OPPONENT_10",
        "OPPONENT_20",
        "QUEUE",
        "QUEUE_5",
        "QUEUE_10",
        "QUEUE_20",
    }
)
_WORKING_TYPES = frozenset({"MARK_PRICE", "CONTRACT_PRICE"})
#: new_order's keyword arguments, which each item of a batch takes.
_ORDER_FIELDS = frozenset(
    {
        "symbol",
        "side",
        "type",
        "quantity",
        "price",
        "time_in_force",
        "reduce_only",
        "position_side",
        "new_client_order_id",
        "new_order_resp_type",
        "self_trade_prevention_mode",
        "good_till_date",
        "price_match",
        "price_protect",
        "working_type",
        "stop_price",
        "close_position",
        "activation_price",
        "callback_rate",
    }
)


def _amount(name: str, value: Amount | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidRequest(f"{name} must be a number, got {value!r}")
    try:
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (ArithmeticError, ValueError, TypeError):
        raise InvalidRequest(f"{name} is not a number: {value!r}") from None
    if not amount.is_finite():
        raise InvalidRequest(f"{name} must be finite, got {value!r}")
    return amount


def _choice(name: str, value: str | None, allowed: frozenset[str]) -> str | None:
    if value is not None and value not in allowed:
        raise InvalidRequest(f"{name}={value!r} is not one of {sorted(allowed)}")
    return value


class UMFutures:
    """Asyncio client for Binance USDⓈ-M futures.

    HMAC: ``UMFutures(api_key, api_secret)``; RSA or Ed25519: ``UMFutures(api_key,
    private_key=pem_bytes_or_path)`` (the key type is detected). Use as ``async with``.
    """

    def __init__(
        self,
        api_key: str | None = None,
        api_secret: str | None = None,
        *,
        private_key: bytes | str | Path | None = None,
        private_key_passphrase: bytes | str | None = None,
        base_url: str | None = None,
        testnet: bool = False,
        recv_window_ms: int = 5000,
        request_timeout_s: float = 10.0,
        call_deadline_s: float = 60.0,
        local_addresses: Sequence[str] | None = None,
        connections_per_address: int = 100,
        keepalive_timeout_s: float = 30.0,
        max_orders_in_flight: int = 200,
        retry: RetryConfig | None = None,
        session: aiohttp.ClientSession | None = None,
        time_source: TimeSource = SYSTEM_TIME,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if base_url is None:
            base_url = USDM_TESTNET_URL if testnet else USDM_PRODUCTION_URL
        elif testnet:
            raise InvalidRequest("give base_url or testnet=True, not both")
        self.config = ClientConfig(
            base_url=base_url,
            recv_window_ms=recv_window_ms,
            request_timeout_s=request_timeout_s,
            call_deadline_s=call_deadline_s,
            local_addresses=local_addresses,
            connections_per_address=connections_per_address,
            keepalive_timeout_s=keepalive_timeout_s,
            max_orders_in_flight=max_orders_in_flight,
            retry=retry or RetryConfig(),
        )
        signer = make_signer(
            api_secret=api_secret,
            private_key=private_key,
            private_key_passphrase=private_key_passphrase,
        )
        if signer is not None and not api_key:
            raise InvalidRequest("a secret or private key was given without its api_key")
        self._gateway = Gateway(
            config=self.config,
            api_key=api_key,
            signer=signer,
            session=session,
            time_source=time_source,
            sleep=sleep,
        )
        self._reconciler = Reconciler(self._gateway)
        self._batches = Batches(self._reconciler)
        self._key_kind = signer.kind if signer is not None else None
        self._symbols: dict[str, SymbolInfo] | None = None
        self._info_lock = asyncio.Lock()
        self._open = False
        self._closed = False

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> UMFutures:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def open(self) -> None:
        """Open the sessions and sync the clock (``async with`` does this)."""
        if self._closed:
            raise RuntimeError("this client was closed; make a new one")
        if self._open:
            return
        self._open = True
        try:
            await self._gateway.open()
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        """Stop background work and close owned sessions; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._open = False
        await self._gateway.close()

    def __del__(self, _warn: Callable[..., None] = warnings.warn) -> None:
        if getattr(self, "_open", False) and not getattr(self, "_closed", True):
            _warn(
                "UMFutures was dropped while open; use 'async with' or await aclose()",
                ResourceWarning,
                stacklevel=2,
                source=self,
            )

    def __repr__(self) -> str:
        state = "open" if self._open else "closed" if self._closed else "new"
        return (
            f"<UMFutures {self.config.base_url} {state} key={self._key_kind or 'none'} "
            f"{self.clock!r} {self._gateway.limiter!r}>"
        )

    # -- live state ------------------------------------------------------------------------

    @property
    def clock(self) -> ServerClock:
        """The server-clock estimate (``offset_ms``, ``uncertainty_ms``)."""
        return self._gateway.clock

    @property
    def limits(self) -> LimitsSnapshot:
        """Used / limit per window, and any ban."""
        return self._gateway.limiter.snapshot

    @property
    def stats(self) -> GatewayStats:
        """Request, resend and backoff counters."""
        return self._gateway.stats

    @property
    def reconciler(self) -> Reconciler:
        """Counters of settled unknown outcomes (``reconciliations``, ``resubmissions``)."""
        return self._reconciler

    async def _call(
        self,
        endpoint: Endpoint,
        params: Mapping[str, Any] | None = None,
        priority: Priority = Priority.NORMAL,
    ) -> Any:
        if not self._open:
            raise RuntimeError("client is not open: use 'async with UMFutures(...)'")
        return await self._gateway.request(endpoint, params, priority=priority)

    def _deadline(self) -> int:
        if not self._open:
            raise RuntimeError("client is not open: use 'async with UMFutures(...)'")
        return self._gateway.deadline_ns()

    # -- market data -----------------------------------------------------------------------

    async def ping(self) -> None:
        """Test connectivity."""
        await self._call(ep.PING)

    async def server_time(self) -> int:
        """The exchange's time (ms) as it answers now."""
        payload = await self._call(ep.TIME)
        return int(payload["serverTime"])

    async def exchange_info(self) -> ExchangeInfo:
        """Rate limits and symbol rules; also loads the limits into the limiter."""
        info = ExchangeInfo.from_payload(await self._call(ep.EXCHANGE_INFO))
        self._gateway.limiter.load_rate_limits(info.rate_limits)
        self._symbols = dict(info.symbols)
        return info

    async def symbol_info(self, symbol: str) -> SymbolInfo:
        """One symbol's rules (exchangeInfo is loaded once and cached)."""
        filters.check_symbol_format(symbol)
        if self._symbols is None:
            async with self._info_lock:
                if self._symbols is None:
                    await self.exchange_info()
        assert self._symbols is not None
        info = self._symbols.get(symbol)
        if info is None:
            raise UnknownSymbol(f"symbol {symbol!r} is not listed on this exchange")
        return info

    async def depth(self, symbol: str, limit: int = 500) -> Any:
        """Order book snapshot (weight by ``limit``)."""
        filters.check_symbol_format(symbol)
        if limit not in (5, 10, 20, 50, 100, 500, 1000):
            raise InvalidRequest(f"depth limit {limit} not in 5, 10, 20, 50, 100, 500, 1000")
        return await self._call(ep.DEPTH, {"symbol": symbol, "limit": limit})

    async def ticker_price(self, symbol: str | None = None) -> Any:
        """Latest price of one symbol, or of all."""
        if symbol is not None:
            filters.check_symbol_format(symbol)
        return await self._call(ep.TICKER_PRICE, {"symbol": symbol})

    # -- orders ----------------------------------------------------------------------------

    async def _order_params(
        self,
        *,
        symbol: str,
        side: str,
        type: str,
        quantity: Amount | None,
        price: Amount | None,
        time_in_force: str | None,
        reduce_only: bool | None,
        position_side: str | None,
        new_client_order_id: str | None,
        new_order_resp_type: str | None,
        self_trade_prevention_mode: str | None,
        good_till_date: int | None,
        price_match: str | None,
        price_protect: bool | None,
        working_type: str | None,
        stop_price: Amount | None = None,
        close_position: bool | None = None,
        activation_price: Amount | None = None,
        callback_rate: Amount | None = None,
    ) -> dict[str, Any]:
        """Validate an order and build its wire parameters, in the documented order."""
        conditional = {
            "stop_price": stop_price,
            "close_position": close_position,
            "activation_price": activation_price,
            "callback_rate": callback_rate,
        }
        given = sorted(name for name, value in conditional.items() if value is not None)
        if given:
            raise InvalidRequest(
                f"{', '.join(given)}: parameters of conditional orders, which the exchange now "
                "accepts only on POST /fapi/v1/algoOrder (algoType=CONDITIONAL, triggerPrice), "
                "not on /fapi/v1/order"
            )
        if type in _ALGO_TYPES:
            raise InvalidRequest(
                f"type={type} is a conditional order: since the Algo Service migration the "
                "exchange accepts it only on POST /fapi/v1/algoOrder (algoType=CONDITIONAL, "
                "triggerPrice), not on /fapi/v1/order (-4120)"
            )
        _choice("type", type, _TYPES)
        _choice("side", side, _SIDES)
        _choice("time_in_force", time_in_force, _TIME_IN_FORCE)
        _choice("position_side", position_side, _POSITION_SIDES)
        _choice("new_order_resp_type", new_order_resp_type, _RESP_TYPES)
        _choice("self_trade_prevention_mode", self_trade_prevention_mode, _STP_MODES)
        _choice("price_match", price_match, _PRICE_MATCH)
        _choice("working_type", working_type, _WORKING_TYPES)
        qty = _amount("quantity", quantity)
        px = _amount("price", price)
        if qty is None:
            raise InvalidRequest(f"{type} orders need a quantity")
        if type == "MARKET":
            if px is not None or time_in_force is not None or price_match is not None:
                raise InvalidRequest("MARKET orders take no price, time_in_force or price_match")
        else:
            if (px is None) == (price_match is None):
                raise InvalidRequest("LIMIT orders need exactly one of price or price_match")
            time_in_force = time_in_force or "GTC"
        if time_in_force == "GTD" and good_till_date is None:
            raise InvalidRequest("time_in_force=GTD needs good_till_date (ms)")
        if good_till_date is not None and time_in_force != "GTD":
            raise InvalidRequest("good_till_date is only for time_in_force=GTD")
        info = await self.symbol_info(symbol)
        filters.check_order(
            info, order_type=type, quantity=qty, price=px, reduce_only=bool(reduce_only)
        )
        cid = check_client_order_id(new_client_order_id or _generate_client_order_id())
        return {
            "symbol": symbol,
            "side": side,
            "type": type,
            "positionSide": position_side,
            "timeInForce": time_in_force,
            "quantity": qty,
            "reduceOnly": reduce_only,
            "price": px,
            "newClientOrderId": cid,
            "workingType": working_type,
            "priceProtect": price_protect,
            "newOrderRespType": new_order_resp_type,
            "priceMatch": price_match,
            "selfTradePreventionMode": self_trade_prevention_mode,
            "goodTillDate": good_till_date,
        }

    async def new_order(
        self,
        *,
        symbol: str,
        side: str,
        type: str,
        quantity: Amount | None = None,
        price: Amount | None = None,
        time_in_force: str | None = None,
        reduce_only: bool | None = None,
        position_side: str | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: str | None = None,
        self_trade_prevention_mode: str | None = None,
        good_till_date: int | None = None,
        price_match: str | None = None,
        price_protect: bool | None = None,
        working_type: str | None = None,
        stop_price: Amount | None = None,
        close_position: bool | None = None,
        activation_price: Amount | None = None,
        callback_rate: Amount | None = None,
    ) -> Order:
        """Place a LIMIT or MARKET order; never lost, never duplicated.

        Without ``new_client_order_id`` one is generated. An unknown outcome is settled by
        querying that id before anything is resent. Reduce-only orders go ahead of new risk.
        """
        params = await self._order_params(
            symbol=symbol,
            side=side,
            type=type,
            quantity=quantity,
            price=price,
            time_in_force=time_in_force,
            reduce_only=reduce_only,
            position_side=position_side,
            new_client_order_id=new_client_order_id,
            new_order_resp_type=new_order_resp_type,
            self_trade_prevention_mode=self_trade_prevention_mode,
            good_till_date=good_till_date,
            price_match=price_match,
            price_protect=price_protect,
            working_type=working_type,
            stop_price=stop_price,
            close_position=close_position,
            activation_price=activation_price,
            callback_rate=callback_rate,
        )
        priority = Priority.URGENT if reduce_only else Priority.NORMAL
        return await self._reconciler.place(params, priority=priority, deadline_ns=self._deadline())

    async def new_batch_orders(
        self, orders: Sequence[Mapping[str, Any]]
    ) -> list[Order | BinanceError]:
        """Place up to 5 orders in one request; each takes the keyword arguments of
        :meth:`new_order`. Each item ends, in place, as an :class:`Order` or its own error
        (a definite refusal, or ExecutionUnknown past the deadline)."""
        if not 1 <= len(orders) <= 5:
            raise InvalidRequest(f"a batch holds 1 to 5 orders, got {len(orders)}")
        items = []
        for spec in orders:
            unknown = sorted(set(spec) - _ORDER_FIELDS)
            missing = sorted({"symbol", "side", "type"} - set(spec))
            if unknown or missing:
                raise InvalidRequest(
                    f"batch order {dict(spec)!r}: unknown {unknown}, missing {missing}; "
                    "items take new_order's keyword arguments"
                )
            fields: dict[str, Any] = dict.fromkeys(_ORDER_FIELDS)
            fields.update(spec)
            params = await self._order_params(**fields)
            items.append({k: v for k, v in params.items() if v is not None})
        ids = [item["newClientOrderId"] for item in items]
        if len(set(ids)) != len(ids):
            raise InvalidRequest("client order ids in a batch must differ")
        return await self._batches.place(items, deadline_ns=self._deadline())

    async def get_order(
        self,
        *,
        symbol: str,
        order_id: int | None = None,
        orig_client_order_id: str | None = None,
    ) -> Order:
        """Query one order by ``order_id`` or ``orig_client_order_id``."""
        params = self._order_ref(symbol, order_id, orig_client_order_id)
        return Order.from_payload(await self._call(ep.GET_ORDER, params))

    async def cancel_order(
        self,
        *,
        symbol: str,
        order_id: int | None = None,
        orig_client_order_id: str | None = None,
    ) -> Order:
        """Cancel one order. An order already gone reports its final state, not an error."""
        params = self._order_ref(symbol, order_id, orig_client_order_id)
        return await self._reconciler.cancel(params, deadline_ns=self._deadline())

    async def cancel_batch_orders(
        self,
        *,
        symbol: str,
        order_ids: Sequence[int] | None = None,
        orig_client_order_ids: Sequence[str] | None = None,
    ) -> list[Order | BinanceError]:
        """Cancel up to 10 orders of one symbol by order ids or by client order ids."""
        filters.check_symbol_format(symbol)
        if (order_ids is None) == (orig_client_order_ids is None):
            raise InvalidRequest("give order_ids or orig_client_order_ids")
        refs: list[tuple[str, Any]] = (
            [("orderId", int(i)) for i in order_ids]
            if order_ids is not None
            else [
                ("origClientOrderId", check_client_order_id(c)) for c in orig_client_order_ids or ()
            ]
        )
        if not 1 <= len(refs) <= 10:
            raise InvalidRequest(f"a batch cancel holds 1 to 10 orders, got {len(refs)}")
        return await self._batches.cancel(symbol, refs, deadline_ns=self._deadline())

    async def modify_order(
        self,
        *,
        symbol: str,
        side: str,
        quantity: Amount,
        price: Amount,
        order_id: int | None = None,
        orig_client_order_id: str | None = None,
        price_match: str | None = None,
    ) -> Order:
        """Change a LIMIT order's price and quantity (both required by the exchange)."""
        _choice("side", side, _SIDES)
        _choice("price_match", price_match, _PRICE_MATCH)
        qty, px = _amount("quantity", quantity), _amount("price", price)
        info = await self.symbol_info(symbol)
        filters.check_order(info, order_type="LIMIT", quantity=qty, price=px)
        params = {
            **self._order_ref(symbol, order_id, orig_client_order_id),
            "side": side,
            "quantity": qty,
            "price": px,
            "priceMatch": price_match,
        }
        return await self._reconciler.modify(params, deadline_ns=self._deadline())

    async def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders of one symbol (weight 1), or of all (weight 40)."""
        if symbol is not None:
            filters.check_symbol_format(symbol)
        payload = await self._call(ep.OPEN_ORDERS, {"symbol": symbol})
        return [Order.from_payload(item) for item in payload]

    async def cancel_all_open_orders(self, symbol: str) -> None:
        """Cancel every open (non-algo) order of ``symbol``."""
        filters.check_symbol_format(symbol)
        await self._call(ep.CANCEL_ALL, {"symbol": symbol}, Priority.URGENT)

    @staticmethod
    def _order_ref(symbol: str, order_id: int | None, client_id: str | None) -> dict[str, Any]:
        filters.check_symbol_format(symbol)
        if order_id is None and client_id is None:
            raise InvalidRequest("give order_id or orig_client_order_id")
        if client_id is not None:
            check_client_order_id(client_id)
        return {"symbol": symbol, "orderId": order_id, "origClientOrderId": client_id}

    # -- account ---------------------------------------------------------------------------

    async def account(self) -> AccountInfo:
        """Account totals, assets and positions (weight 5)."""
        return AccountInfo.from_payload(await self._call(ep.ACCOUNT))

    async def balance(self) -> list[Balance]:
        """Futures wallet balances (weight 5)."""
        return [Balance.from_payload(item) for item in await self._call(ep.BALANCE)]

    async def position_risk(self, symbol: str | None = None) -> list[Position]:
        """Positions (weight 5)."""
        if symbol is not None:
            filters.check_symbol_format(symbol)
        payload = await self._call(ep.POSITION_RISK, {"symbol": symbol})
        return [Position.from_payload(item) for item in payload]
