"""Simulator: the embedded exchange as an async context manager with a control API."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import warnings
from decimal import Decimal
from types import TracebackType
from typing import Any

import attrs
from aiohttp import web

from .accounts import BOTH
from .algo import AlgoOrder
from .audit import Audit
from .auth import Credentials, KeyKind
from .books import Income, UserTrade
from .clock import SimClock
from .control import CONTROL_PREFIX, ControlApi
from .engine import Order, Position
from .faults import FaultKind, FaultPlan
from .jsonerrors import json_errors
from .market import SymbolSpec
from .ratelimit import RateLimitConfig
from .server import Pipeline
from .spot import SpotConfig
from .spot.control import SpotControl
from .spot.records import SpotBalance, SpotOrder, SpotOrderList
from .spot.routes import SPOT
from .spot.streams import SPOT_STREAM_PREFIX, SpotStreamServer
from .spot.wsapi import SPOT_WS, SPOT_WS_API_PATH
from .state import ExchangeState
from .streams import StreamServer, StreamServerConfig
from .wsapi import WsApi, WsApiConfig
from .wsframes import WS_API_PATH

__all__ = ["Simulator"]

#: What ``Simulator.reset`` replaces with a fresh exchange's (keys and clock stay).
_RESET_FIELDS = (
    "market",
    "engine",
    "algos",
    "limiter",
    "buckets",
    "faults",
    "audit",
    "listen_keys",
    "time_outliers",
    "countdowns",
)


def _plain(_: object, __: object, value: object) -> object:
    """attrs.asdict: sets and tuples as (sorted) lists, decimals as strings (JSON-ready)."""
    if isinstance(value, frozenset | set):
        return sorted(list(v) if isinstance(v, tuple) else v for v in value)
    if isinstance(value, tuple):
        return [list(v) if isinstance(v, tuple) else v for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


class Simulator:
    """A Binance USDⓈ-M futures exchange on 127.0.0.1, enforcing the exchange's public rules.

    ``async with Simulator() as sim:`` serves on an ephemeral port; ``sim.base_url`` is where.

    ``rate_limits.window_offset_ms`` shifts where every counting window starts on the server
    clock; ``windows_start_at_boot=True`` starts them when the simulator is made (as some
    exchanges do: a client cannot know where a window starts). Retry-After and the X-MBX-*
    headers follow the shifted windows.

    ``maker_commission`` / ``taker_commission``: fee rates on fills (0 by default).
    ``tick_interval_s``: how often a background task runs time-driven work (countdowns of
    ``countdownCancelAll``, GTD expiries) when no request comes; it stops with ``aclose``.

    The WebSocket API is served at ``sim.ws_api_url`` (``binance_async.testing.wsapi``):
    ``ws_api_max_lifetime_s`` (24 h, as documented) after it opened the server closes a
    connection; it pings every ``ws_api_ping_interval_s`` (3 min) and drops a connection
    whose pong has not come ``ws_api_pong_timeout_s`` (10 min) after a ping.

    ``control_token``: serve the control API (``binance_async.testing.control``) under
    ``/_sim/`` to requests that carry this token; None (default): not served at all.

    Market and user data streams are served at ``sim.stream_url``
    (``binance_async.testing.streams``); ``streams`` sets their rules and pace
    (:class:`~binance_async.testing.streams.StreamServerConfig`), ``sim.streams`` injects
    their faults. Spot's market streams are at ``sim.spot_stream_url`` (``spot_streams``:
    their rules, Spot's by default; ``sim.spot_streams``: their faults).

    Binance Spot is served too, under ``/api/v3`` on the same ``base_url`` (the real one is
    another host; one simulator for both keeps tests simple): its own balances, symbols,
    prices, orders and limits (``spot``: a :class:`~binance_async.testing.spot.SpotConfig`),
    the same keys, faults and audit; ``sim.spot`` and the ``spot_*`` methods drive it.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        rate_limits: RateLimitConfig | None = None,
        seed: int = 0,
        initial_balance_usdt: Decimal = Decimal("100000"),
        windows_start_at_boot: bool = False,
        maker_commission: Decimal = Decimal(0),
        taker_commission: Decimal = Decimal(0),
        ws_api_max_lifetime_s: float = 86_400.0,
        ws_api_ping_interval_s: float = 180.0,
        ws_api_pong_timeout_s: float = 600.0,
        tick_interval_s: float = 0.01,
        control_token: str | None = None,
        spot: SpotConfig | None = None,
        streams: StreamServerConfig | None = None,
        spot_streams: StreamServerConfig | None = None,
    ) -> None:
        if tick_interval_s <= 0:
            raise ValueError(f"tick_interval_s: must be positive, got {tick_interval_s}")
        if control_token is not None and not control_token:
            raise ValueError("control_token: must not be empty")
        self._host = host
        self._port = port
        self._control_token = control_token
        self._seed = seed
        self._initial_balance = Decimal(initial_balance_usdt)
        self._state = ExchangeState.create(
            rate_limits=rate_limits,
            seed=seed,
            initial_balance=Decimal(initial_balance_usdt),
            windows_start_at_boot=windows_start_at_boot,
            spot=spot,
        )
        self.set_commission(maker=maker_commission, taker=taker_commission)
        self._tick_s = tick_interval_s
        self._ws_api = WsApi(
            self._state,
            WsApiConfig(
                max_lifetime_s=ws_api_max_lifetime_s,
                ping_interval_s=ws_api_ping_interval_s,
                pong_timeout_s=ws_api_pong_timeout_s,
            ),
        )
        self._spot_ws_api = WsApi(self._state, self._ws_api.config, SPOT_WS)
        self._streams = StreamServer(self._state, streams)
        self._spot_streams = SpotStreamServer(self._state, spot_streams)
        self._ticker: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def start(self) -> None:
        """Bind and serve (the port is known once this returns)."""
        if self._runner is not None:
            return
        app = web.Application(middlewares=[json_errors])
        if self._control_token is not None:
            control = ControlApi(self, self._control_token)
            app.router.add_route("*", CONTROL_PREFIX, control.handle)
            app.router.add_route("*", CONTROL_PREFIX + "/{tail:.*}", control.handle)
        app.router.add_get(WS_API_PATH, self._ws_api.handle)
        app.router.add_get(SPOT_WS_API_PATH, self._spot_ws_api.handle)
        app.router.add_route("*", "/api/v3/{tail:.*}", Pipeline(self._state, SPOT).handle)
        app.router.add_routes(self._streams.routes())
        app.router.add_routes(self._spot_streams.routes())
        app.router.add_route("*", "/{tail:.*}", Pipeline(self._state).handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.25)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._host, self._port))
            await web.SockSite(runner, sock).start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        port = sock.getsockname()[1]
        self._runner = runner
        self._base_url = f"http://{self._host}:{port}"
        self._ticker = asyncio.create_task(self._tick_forever(), name="simulator-ticker")
        self._streams.start()
        self._spot_streams.start()

    async def _tick_forever(self) -> None:
        """Countdowns and expiries happen on the exchange's clock even when no request comes."""
        state = self._state
        while True:
            await asyncio.sleep(self._tick_s)
            state.tick(state.clock.now_ms())

    async def aclose(self) -> None:
        """Stop serving (and the ticker); idempotent."""
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        await self._ws_api.aclose()
        await self._spot_ws_api.aclose()
        await self._streams.aclose()
        await self._spot_streams.aclose()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    def __del__(self) -> None:
        if getattr(self, "_runner", None) is not None:
            warnings.warn(f"unclosed {self!r}", ResourceWarning, stacklevel=1, source=self)

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running exchange."""
        if self._base_url is None:
            raise RuntimeError("Simulator is not started: use 'async with Simulator() as sim'")
        return self._base_url

    # -- WebSocket API --------------------------------------------------------------------------

    @property
    def ws_api_url(self) -> str:
        """``ws://host:port/ws-fapi/v1``: the WebSocket API of the running exchange."""
        return "ws" + self.base_url.removeprefix("http") + WS_API_PATH

    @property
    def ws_api_connections(self) -> int:
        """Open WebSocket API connections."""
        return self._ws_api.connections

    def ws_api_drop_connections(self) -> int:
        """Drop every WebSocket API connection now, abruptly (answers still due are lost);
        how many there were."""
        return self._ws_api.drop_all()

    @property
    def spot_ws_api_url(self) -> str:
        """``ws://host:port/ws-api/v3``: Spot's WebSocket API (``testing.spot.wsapi``), with
        the user data subscriptions (``testing.spot.userstream``)."""
        return "ws" + self.base_url.removeprefix("http") + SPOT_WS_API_PATH

    @property
    def spot_ws_api_connections(self) -> int:
        """Open connections to Spot's WebSocket API."""
        return self._spot_ws_api.connections

    def spot_ws_api_drop_connections(self) -> int:
        """Drop every connection to Spot's WebSocket API now, abruptly; how many."""
        return self._spot_ws_api.drop_all()

    # -- streams --------------------------------------------------------------------------------

    @property
    def stream_url(self) -> str:
        """``ws://host:port``: the market and user data streams (``/public``, ``/market``,
        ``/private`` and the legacy paths; ``binance_async.testing.streams``)."""
        return "ws" + self.base_url.removeprefix("http")

    @property
    def streams(self) -> StreamServer:
        """The streams' server: its faults (``drop``, ``stall``, ``shutdown``,
        ``expire_listen_key``), ``set_liquidity`` and ``config`` (lifetime, pings, pace)."""
        return self._streams

    @property
    def spot_stream_url(self) -> str:
        """``ws://host:port/spot``: Spot's market streams (``/ws/<stream>``, ``/stream?streams=``
        under it; ``binance_async.testing.spot.streams``), for ``Spot(stream_url=...)``."""
        return self.stream_url + SPOT_STREAM_PREFIX

    @property
    def spot_streams(self) -> StreamServer:
        """Spot's streams' server: the faults and inspection of :attr:`streams`."""
        return self._spot_streams

    # -- keys -----------------------------------------------------------------------------------

    def new_credentials(self, kind: KeyKind = "hmac", *, account: str = "main") -> Credentials:
        """Generate a fresh HMAC secret or RSA/Ed25519 key pair, register it, return it."""
        return self._state.keys.generate(kind, account=account)

    def register_key(
        self,
        api_key: str,
        *,
        hmac_secret: str | None = None,
        public_key_pem: bytes | None = None,
        account: str = "main",
    ) -> None:
        """Register a known key (an HMAC secret or a PEM public key) for ``account``."""
        self._state.keys.register(
            api_key, hmac_secret=hmac_secret, public_key_pem=public_key_pem, account=account
        )

    # -- time and network -----------------------------------------------------------------------

    @property
    def clock(self) -> SimClock:
        """The exchange's clock (offset, drift, jumps, freezing)."""
        return self._state.clock

    def inject_time_outlier(self, offset_ms: int, count: int = 1, *, after: int = 0) -> None:
        """The next ``count`` answers of GET /fapi/v1/time report ``serverTime`` shifted by
        ``offset_ms`` (a bogus sample, e.g. from a misbehaving cache); every other request, and
        the timing rule, keep the true clock. ``after``: that many true time answers first.
        Shifted answers show ``fault == "time_outlier"`` in the audit."""
        self._state.time_outliers.inject(offset_ms, count, after)

    def set_latency(self, request_ms: float = 0.0, response_ms: float = 0.0) -> None:
        """Extra one-way delays: before handling each request, and before each reply."""
        if request_ms < 0 or response_ms < 0:
            raise ValueError(f"latency must be >= 0, got {request_ms=}, {response_ms=}")
        self._state.request_delay_s = request_ms / 1000
        self._state.response_delay_s = response_ms / 1000

    # -- market and accounts --------------------------------------------------------------------

    @property
    def symbols(self) -> dict[str, SymbolSpec]:
        """Listed symbols and their filters."""
        return dict(self._state.market.symbols)

    def mark_price(self, symbol: str) -> Decimal:
        """Current mark price of ``symbol``."""
        return self._state.market.mark(symbol)

    def set_mark_price(self, symbol: str, price: Decimal) -> None:
        """Move the mark price: resting LIMIT orders that now cross fill at their price, then
        algo orders whose trigger it reaches place their order."""
        state = self._state
        now = state.clock.now_ms()
        state.market.set_mark(symbol, Decimal(price), now)
        state.engine.on_mark(symbol, now)
        state.algos.on_price(symbol, now)

    def trade(self, symbol: str, price: Decimal, qty: Decimal) -> None:
        """A trade prints ``qty`` at ``price`` (the mark does not move): resting LIMIT orders at
        that price or better fill at their own price, in price-time priority, up to ``qty`` on
        each side (partly: PARTIALLY_FILLED); what they do not take is printed on the tape."""
        price, qty = Decimal(price), Decimal(qty)
        self._state.market.spec(symbol)
        if price <= 0 or qty <= 0:
            raise ValueError(f"price and qty must be positive, got {price=}, {qty=}")
        self._state.engine.on_trade(symbol, price, qty, self._state.clock.now_ms())

    def position(self, symbol: str, account: str = "main", position_side: str = BOTH) -> Position:
        """The account's position on ``symbol`` (``position_side`` LONG or SHORT in hedge mode)."""
        return self._state.engine.position(account, symbol, position_side)

    def set_commission(self, *, maker: Decimal, taker: Decimal) -> None:
        """Commission rates charged on fills (maker: resting orders; taker: the others)."""
        engine = self._state.engine
        engine.maker_commission, engine.taker_commission = Decimal(maker), Decimal(taker)

    def user_trades(self, account: str = "main") -> list[UserTrade]:
        """The account's fills, oldest first."""
        return [t for t in self._state.engine.books.trades if t.account == account]

    def income(self, account: str = "main") -> list[Income]:
        """The account's income records, oldest first."""
        return [i for i in self._state.engine.books.income if i.account == account]

    def wallet_balance(self, account: str = "main") -> Decimal:
        """The account's USDT wallet balance (realized PnL included)."""
        return self._state.engine.account(account).wallet

    def order(
        self, *, client_order_id: str | None = None, order_id: int | None = None
    ) -> Order | None:
        """An order by id, or the most recent one with ``client_order_id`` (any account)."""
        engine = self._state.engine
        if order_id is not None:
            return engine.orders.get(order_id)
        if client_order_id is not None:
            return engine.latest_by_client_id(client_order_id)
        raise ValueError("order: give client_order_id or order_id")

    def open_orders(self, account: str = "main") -> list[Order]:
        """The account's open orders."""
        return self._state.engine.open_orders(account)

    def algo_order(
        self, *, client_algo_id: str | None = None, algo_id: int | None = None
    ) -> AlgoOrder | None:
        """An algo order by id, or the most recent one with ``client_algo_id`` (any account)."""
        algos = self._state.algos
        algos.refresh(self._state.clock.now_ms())
        if algo_id is not None:
            return algos.algos.get(algo_id)
        if client_algo_id is not None:
            return algos.latest_by_client_id(client_algo_id)
        raise ValueError("algo_order: give client_algo_id or algo_id")

    def open_algo_orders(self, account: str = "main") -> list[AlgoOrder]:
        """The account's algo orders waiting for their trigger."""
        self._state.algos.refresh(self._state.clock.now_ms())
        return self._state.algos.open_orders(account)

    # -- Spot -----------------------------------------------------------------------------------

    @property
    def spot(self) -> SpotControl:
        """Spot's prices, trades, balances, orders, order lists, fee rates and limits."""
        return SpotControl(lambda: self._state)

    def spot_set_price(self, symbol: str, price: Decimal) -> None:
        """Move a Spot symbol's price (see :meth:`SpotControl.set_price`)."""
        self.spot.set_price(symbol, price)

    def spot_trade(self, symbol: str, price: Decimal, qty: Decimal) -> None:
        """Print a Spot trade that fills resting orders (see :meth:`SpotControl.trade`)."""
        self.spot.trade(symbol, price, qty)

    def spot_order(
        self, *, client_order_id: str | None = None, order_id: int | None = None
    ) -> SpotOrder | None:
        """A Spot order (a copy) by id or client id."""
        return self.spot.order(client_order_id=client_order_id, order_id=order_id)

    def spot_balance(self, asset: str, account: str = "main") -> SpotBalance:
        """A Spot balance (free, locked)."""
        return self.spot.balance(asset, account)

    def spot_open_orders(self, account: str = "main", symbol: str | None = None) -> list[SpotOrder]:
        """The account's open Spot orders."""
        return self.spot.open_orders(account, symbol)

    def spot_order_list(
        self, *, list_client_order_id: str | None = None, order_list_id: int | None = None
    ) -> SpotOrderList | None:
        """A Spot order list (a copy) by id or listClientOrderId."""
        return self.spot.order_list(
            list_client_order_id=list_client_order_id, order_list_id=order_list_id
        )

    # -- limits and faults ----------------------------------------------------------------------

    @property
    def rate_limits(self) -> RateLimitConfig:
        """The limits in force (``window_offset_ms`` resolved when windows start at boot)."""
        return self._state.limiter.config

    def preload_weight(self, ip: str, weight: int) -> None:
        """As if another process on ``ip`` had used ``weight`` in the current window."""
        self._state.limiter.preload_weight(ip, weight, self._state.clock.now_ms())

    def used_weight(self, ip: str) -> int:
        """Weight used by ``ip`` in the current window."""
        return self._state.limiter.used_weight(ip, self._state.clock.now_ms())

    def set_faults(self, plan: FaultPlan | None) -> None:
        """Install a random fault plan on order and algo order endpoints (None: off)."""
        self._state.faults.set_plan(plan)

    def inject_next(
        self,
        kind: FaultKind,
        count: int = 1,
        endpoint: tuple[str, str] | None = ("POST", "/fapi/v1/order"),
        *,
        delay_s: float | None = None,
    ) -> None:
        """The next ``count`` requests to ``endpoint`` get fault ``kind`` (None: any order one).

        ``delay_s``: how long ``slow`` holds the answer after executing, and how long
        ``delay_before_execute`` holds the request before the exchange processes it (then it
        is processed normally: the timing rule is checked against the server's time at
        processing, so a request now past its recvWindow is refused -1021).
        """
        self._state.faults.inject_next(kind, count, endpoint, delay_s)

    # -- whole state ----------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to a fresh exchange: orders, algo orders, positions, balances (the initial one),
        marks, user trades, the audit, weight and order counters, bans, buckets, queued faults,
        time outliers, countdowns and listen keys are forgotten. Kept: the registered keys,
        the clock, the limits, the latency, the fee rates and the fault plan (its random
        draws start again from the seed)."""
        state = self._state
        plan = state.faults.plan
        engine = state.engine
        maker, taker = engine.maker_commission, engine.taker_commission
        fresh = ExchangeState.create(
            rate_limits=state.limiter.config, seed=self._seed, initial_balance=self._initial_balance
        )
        for name in _RESET_FIELDS:
            setattr(state, name, getattr(fresh, name))
        state.spot = state.spot.fresh()
        state.faults.set_plan(plan)
        self.set_commission(maker=maker, taker=taker)

    def urls(self) -> dict[str, str]:
        """Where each API of the running exchange is: REST (futures and Spot), the WebSocket
        APIs and the streams."""
        return {
            "rest": self.base_url,
            "ws_api": self.ws_api_url,
            "streams": self.stream_url,
            "spot_ws_api": self.spot_ws_api_url,
            "spot_streams": self.spot_stream_url,
        }

    def status(self) -> dict[str, Any]:
        """What the control API's ``GET /_sim/status`` shows (JSON-ready)."""
        state = self._state
        clock = state.clock
        limits = state.limiter.config
        plan = state.faults.plan
        return {
            "base_url": self._base_url,
            "urls": self.urls() if self._base_url is not None else None,
            "server_time_ms": clock.now_ms(),
            "clock": {
                "now_ms": clock.now_ms(),
                "offset_ms": round(clock.offset_ms, 3),
                "drift_ppm": clock.drift_ppm,
                "frozen": clock.frozen,
            },
            "rate_limits": attrs.asdict(limits, value_serializer=_plain),
            "latency": {
                "request_ms": state.request_delay_s * 1000,
                "response_ms": state.response_delay_s * 1000,
            },
            "faults": None if plan is None else attrs.asdict(plan, value_serializer=_plain),
            "keys": [
                {"api_key": e.api_key, "kind": e.kind, "account": e.account}
                for e in state.keys.entries()
            ],
            "marks": {symbol: str(state.market.mark(symbol)) for symbol in state.market.symbols},
        }

    @property
    def audit(self) -> Audit:
        """Requests, accepted placements and per-window maxima."""
        return self._state.audit

    def __repr__(self) -> str:
        where = self._base_url if self._runner is not None else "stopped"
        return f"Simulator({where}, clock={self._state.clock!r})"
