"""binance_async.testing: an embedded Binance exchange (USDⓈ-M futures and Spot) for tests.

It enforces the exchange's public rules (signatures over the raw bytes, the timing rule,
weights and their headers, 429 then 418, order state, filters) and injects faults; it is
written from ``reference/`` alone: nothing here imports the client, so a shared bug cannot
hide::

    async with Simulator() as sim:
        creds = sim.new_credentials("ed25519")
        sim.inject_next("unknown_executed")       # the next POST /fapi/v1/order
        ...                                       # talk to sim.base_url
        assert not sim.audit.duplicates()

It serves every row of ``fapi-endpoints.tsv`` with the documented parameters, weights,
security types and answer shapes; and Binance Spot's REST API under ``/api/v3`` (``spot/``).
Pipeline of every request (``server.py``): time-driven work (countdowns, expiries) -> ban
-> IP weight (429) -> special bucket (429) -> API key and signature -> timing -> account
order count (429) -> fault -> handler -> headers.

Beyond the answering faults: ``RateLimitConfig(window_offset_ms=...)`` or
``Simulator(windows_start_at_boot=True)`` shift where the counting windows start;
``inject_next("delay_before_execute", delay_s=...)`` holds a request before it is processed
(then checked against the server's time at processing); ``sim.inject_time_outlier(offset_ms)``
makes the next GET /fapi/v1/time answer a bogus ``serverTime``.

As a server for other processes: ``python -m binance_async simulator`` (``serve.py``,
``cli.py``) with fixed keys, limits, clock, latency and a fault plan, and a control API under
``/_sim/`` behind a token (``control.py``; ``Simulator(control_token=...)`` serves it too).
``sim.reset()`` forgets what happened (orders, balances, audit, counters, bans) and keeps the
keys and settings. For pytest, ``binance_async.pytest_plugin`` (outside this package: it is the
bridge to the client) gives the fixtures ``binance_simulator``, ``binance_credentials`` and
``binance_client``.

The WebSocket API (``wsapi.py``, ``wsframes.py``) at ``sim.ws_api_url``: ``order.place``,
``order.modify``, ``order.cancel``, ``order.status``, ``algoOrder.place``, ``algoOrder.cancel``,
``account.*`` (the v2 REST reads) and ``v2/account.*`` (v3), ``depth``, ``ticker.price``,
``ticker.book``, ``userDataStream.*``, ``time`` and ``session.logon`` / ``status`` /
``logout``, each through the REST route's pipeline: one weight, order count, ban, fault and
audit for both (a fault injected on ``("POST", "/fapi/v1/order")`` hits ``order.place``); the
handshake costs 5 weight; ``Simulator(ws_api_max_lifetime_s=..., ws_api_ping_interval_s=...,
ws_api_pong_timeout_s=...)``; ``sim.ws_api_connections``, ``sim.ws_api_drop_connections()``.

Spot (``binance_async.testing.spot``) is served on the same ``sim.base_url`` (Binance's is
another host: one simulator for both keeps tests simple), through the same pipeline, keys,
faults and audit, with its own exchange and ledger: balances (free / locked; by default
100000 USDT, 10 BTC, 100 ETH per account), BTCUSDT, ETHUSDT and ETHBTC with Spot's filters,
its REQUEST_WEIGHT (6000 / min) and RAW_REQUESTS (61000 / 5 min) per IP, its unfilled ORDERS
count (50 / 10 s, 160000 / day) per account, all set by ``Simulator(spot=SpotConfig(...))``
(``SpotRateLimitConfig``). Order endpoints: order, order/test, cancelReplace, orderList/oco,
oto, otoco, order/oco; queries, cancels, account, myTrades and the rest of the docs' list.
``sim.spot_set_price``, ``sim.spot_trade``, ``sim.spot_balance``, ``sim.spot_order``,
``sim.spot_open_orders``, ``sim.spot_order_list`` and ``sim.spot`` (fee rates, limits, user
trades) script and read it.

Scripting the market: ``sim.set_mark_price`` moves the one price (resting orders that cross
fill, algo orders trigger); ``sim.trade(symbol, price, qty)`` prints a trade that fills resting
LIMIT orders partly or fully; ``sim.user_trades()``, ``sim.income()``, ``sim.algo_order()``,
``sim.open_algo_orders()`` read the results; ``sim.set_commission`` sets the fee rates.

Choices where the documentation is silent or conflicting:

====================================  ======================================================
Topic                                 Choice
====================================  ======================================================
Prices                                One price, the mark: both workingTypes, tickers and
                                      candles' OHLC read it (and its history); the index
                                      equals it (premium 0, basis 0). ``sim.trade`` fills
                                      orders but moves no price.
Trade prints                          Each side (bids at or above, asks at or below the
                                      print) fills up to the print's quantity at the orders'
                                      own prices, as maker; what they leave is one tape
                                      trade at the print price (the buyer taking).
Aggregate trades                      One per trade (``f == l``); ids consecutive per
                                      symbol, like trade ids (both above 2**32).
Fees and income                       Maker and taker rates 0 unless set; COMMISSION and
                                      REALIZED_PNL records only when not zero; no funding
                                      fee is charged, no TRANSFER for the initial balance.
Funding                               Every 8 h (4 h on the symbol listed by fundingInfo)
                                      at 0.01 %; without a range fundingRate gives the
                                      latest ``limit`` (default 100), not "200".
Weights                               The larger where two are given: historicalTrades 200;
                                      fundingRate, fundingInfo, openInterestHist 1 (plus
                                      their bucket); order/test 1 (not stated).
Buckets                               fundingRate + fundingInfo 500 / 5 min; every
                                      /futures/data/* path 1000 / 5 min; no header; a
                                      bucket 429 does not count toward an IP ban.
/futures/data/*                       Security NONE (the docs'; a key is accepted);
                                      timestamps are integers (the SDK's type); open
                                      interest and long/short ratios are today's accounts,
                                      repeated for each period; CMCCirculatingSupply "0".
Quarterly contracts                   None listed: continuousKlines and basis answer []
                                      for quarters, delivery-price always [].
Time ranges                           allOrders, userTrades, income, allAlgoOrders without
                                      a range: the last 7 days; from an id: the first
                                      ``limit`` from it. aggTrades with one bound: the hour
                                      after startTime or before endTime.
Klines                                Candles open on the epoch's multiples (weeks on
                                      Monday, months on the 1st, UTC), none before the
                                      onboardDate; startTime selects those opening at or
                                      after it.
Hedge mode                            ``reduceOnly`` sent at all: -1106 "Parameter
                                      'reduceonly' sent when not required."; LONG+SELL and
                                      SHORT+BUY close: capped to the position, -2022
                                      without one, no MIN_NOTIONAL, no margin held.
Position mode change                  Refused with open algo orders too (-4067).
Margin                                Available = wallet + cross uPnL - cross initial
                                      margin - isolated wallets - open-order margin; an
                                      isolated wallet gets notional / leverage on opening
                                      and shrinks in proportion on closing; a reduction
                                      keeps the initial margin (-4051).
Leverage brackets                     BTCUSDT and ETHUSDT: 12 brackets from 125x; other
                                      symbols 9 from 75x; a position over the leverage's
                                      maximum notional: -2027.
Algo orders                           Duplicate clientAlgoId among waiting ones: -4116;
                                      unknown: -2013; cancelling one not waiting: -2011;
                                      openAlgoOrders lists the waiting (NEW) ones; the
                                      order placed at the trigger gets a generated client
                                      id and is not counted by the audit; closePosition
                                      with nothing to close: EXPIRED; an engine refusal at
                                      the trigger: REJECTED; callbackRate outside
                                      [0.1, 10]: -1130; stopPrice / activationPrice:
                                      -1103; closePosition on the wrong hedge side: -1106.
countdownCancelAll                    Regular open orders only (not algo orders); checked
                                      on every request and every ``tick_interval_s``.
order/test                            Answers ``{}`` (nothing is created); refuses the
                                      conditional types with -4120, as /fapi/v1/order does.
Range edges                           "< 7 days" (allOrders, allAlgoOrders) and "< 1 hour"
                                      (aggTrades) are strict; userTrades allows 7 days.
Precision (-1111)                     A price (price, stopPrice, triggerPrice) with more
                                      decimals than ``pricePrecision``, a quantity with
                                      more than ``quantityPrecision``: -1111 "Precision is
                                      over the maximum defined for this asset.", before
                                      min/max/tick/step (-4013 ... -4023); trailing zeros
                                      do not count ("0.0100" has 2 decimals).
429 then 418                          A violation is a request over the IP's weight limit
                                      (answered 429). The first 429 in a window starts an
                                      episode; violations within ``ban_grace_ms`` (1000)
                                      of it were in flight and never count; after that,
                                      ``ban_after_429s`` (3) more are answered 429, the
                                      next 418. Requests that fit are served and never
                                      count; a new window starts a new episode; -1015
                                      (orders) and bucket 429s never lead to a ban. Bans
                                      last 2 min, doubling per repeat, up to 3 days.
Error bodies                          Always JSON ``{"code", "msg"}``. "Service
                                      Unavailable." (the docs give no code) is
                                      ``{"code": -1000, "msg": "Service Unavailable."}``:
                                      its msg tells it from the unknown-outcome 503, and
                                      a client reading the code alone stays cautious. A
                                      body over 1 MiB: 413 -1000 "Request Entity Too
                                      Large."; a failure of the simulator itself: 500
                                      -1000 "Request occur unknown error." (logged).
WebSocket API frames                  Unreadable (not JSON, not an object, a bad id,
                                      method or params, a binary frame): 400 -1135 (the
                                      spot engine's code for a bad ``params``), ``id`` as
                                      read or null; unknown method: 400 -1020; neither
                                      costs weight. A param that is a number with a
                                      fraction: -1100; null, an object or a list: -1102.
WebSocket API sessions                session.logon with an HMAC or RSA key: 400 -4056
                                      "Invalid api key type." (after the weight, key,
                                      signature and timing checks). Logged on, a request
                                      without ``apiKey`` is the session's (a signature,
                                      if sent, is checked against its key); one with
                                      ``apiKey`` is verified as usual.
WebSocket API 429 / 418               ``error.data``: ``serverTime`` and ``retryAfter``
                                      (ms epoch): the ban's end for 418, serverTime plus
                                      the Retry-After seconds for 429 (and -1015).
WebSocket API faults                  503s, 429, 418, -1021 in WebSocket form (unavailable:
                                      ``{"code": -1000, "msg": "Service Unavailable."}``);
                                      both drops close the connection abruptly, every
                                      answer due on it lost; a request received is
                                      processed even if its connection ends first (its
                                      audit status None). Time outliers: REST only.
WebSocket API lifetime                Closed with 1001 at ``ws_api_max_lifetime_s``;
                                      pings carry the server time (ms, text); the pong
                                      timeout runs from the oldest unanswered ping; on
                                      the host's monotonic clock, not the exchange's.
Spot: host                            ``/api/v3`` on the futures simulator's host; the
                                      two venues' weights, order counts and bans are
                                      separate ledgers; keys, faults and audit shared
                                      (``audit.accepted`` counts Spot client ids and
                                      listClientOrderIds with the futures ids).
Spot: prices and liquidity            One price per symbol is the last and the average
                                      price (avgPrice, PERCENT_PRICE_BY_SIDE, NOTIONAL of
                                      market orders); liquidity at it is unlimited; users'
                                      orders never meet each other (so no self-trade
                                      prevention ever happens: myPreventedMatches []).
                                      A crossing LIMIT fills at the price (taker); resting
                                      orders fill at their own price (maker).
                                      ``spot_trade`` fills but does not move the price.
Spot: funds                           Locked at acceptance: quote = price x qty for a BUY
                                      (stop price, or the price now for a trailing stop
                                      without one, for a stop-market BUY), base = qty for
                                      a SELL; an OCO pair holds once (the larger need);
                                      pending list orders hold nothing until placed. A
                                      triggered stop-market whose funds fall short, or a
                                      pending order placed without funds: EXPIRED. Fees
                                      from what is received, exact Decimals, no rounding.
Spot: timing                          A timestamp of 16 digits or more (>= 10**15) is in
                                      microseconds; recvWindow a decimal with up to 3
                                      places; above 60000: -1131 "recvWindow must be less
                                      than 60000" (the reference's code; errors.md no
                                      longer lists it); malformed: -1130.
Spot: unfilled order count            Counted at admission, given back when the placement
                                      is refused (cancelReplace keeps it: "not attempted
                                      still counts"); -1 on every window at an order's
                                      first fill; -1015 answered 429 without Retry-After
                                      (as documented).
Spot: client ids                      newClientOrderId is refused (-2010 "Duplicate order
                                      sent.") while an open order (PENDING_NEW included)
                                      of the account on the symbol has it; reusable once
                                      that order is no longer open (the docs' "unique
                                      among open orders"). A cancel renames the order to
                                      the cancel's newClientOrderId (generated if none),
                                      freeing the old id. listClientOrderId: refused while
                                      a list with it executes.
Spot: order lists                     OCO: the first leg to fill or trigger EXPIREs the
                                      other; cancelling one order cancels the list; OTO /
                                      OTOCO pending orders are PENDING_NEW until the
                                      working order is FILLED, EXPIRED if it ends
                                      unfilled; orderReports RESULT unless asked.
Spot: codes                           API-side refusals -1013 ("Filter failure: NAME",
                                      "Price * QTY is zero or less.", "IcebergQty exceeds
                                      QTY."); matching engine -2010 (balance, duplicate,
                                      "Order would immediately match and take.", "Order
                                      would trigger immediately."); iceberg without GTC
                                      -1014; a bad newOrderRespType / STP mode -1130; an
                                      unknown order list -2013 (query) / -2011 (cancel);
                                      DELETE openOrders with none -2011.
Spot: WebSocket API                   ``/ws-api/v3`` on the same host; the handshake
                                      weighs 2 on Spot's ledger; session.logon with an
                                      HMAC or RSA key: 400 -4056 as on futures (the Spot
                                      docs give no code). userDataStream.subscribe with
                                      no session: 401 -2015; a second subscription of an
                                      account on a connection: 400 -1020; unsubscribe of
                                      an unknown subscriptionId: -1130.
Spot: user data events                Every order event is reported as it happens (NEW,
                                      TRADE per fill, CANCELED, EXPIRED; no report when a
                                      stop triggers); outboundAccountPosition once per
                                      request or market move, after its other events,
                                      with the assets changed since the last one;
                                      executionReport ``I`` counts the reports.
Other data                            forceOrders [] (nobody is liquidated);
                                      apiTradingStatus without indicators; symbolAdlRisk
                                      "low"; one composite index (DEFIUSDT), asset pairs
                                      BTCUSD and ETHUSD, one insurance fund; 24 h ticker
                                      firstId/lastId -1 without trades.
Stream routes                         Book streams only under /public, the others only
                                      under /market (the handshake is refused with 400
                                      otherwise); the legacy paths serve every stream.
Depth update ids                      Consecutive: U = previous u + 1, u = U + levels
                                      changed - 1; the first update a depth stream sends
                                      carries the whole book. A REST snapshot publishes
                                      the book first, so its lastUpdateId is an update's u.
Stream pace                           Depth, bookTicker and the periodic streams are
                                      sent by a ticker (``StreamServerConfig.tick_s``);
                                      aggTrade and user events at once. forceOrder,
                                      compositeIndex and other names: accepted, silent.
serverShutdown                        ``{"e": "serverShutdown", "E": ...}`` (the shape is
                                      not documented for futures streams), then a close
                                      ``shutdown_grace_s`` later.
Slow consumers                        A connection with more than ``send_buffer_limit``
                                      unsent events is dropped (the exchange's treatment
                                      of a consumer it cannot keep up with).
User events                           TRADE_LITE, ORDER_TRADE_UPDATE, then ACCOUNT_UPDATE
                                      (reason ORDER) for each fill; ``cw`` equals ``wb``;
                                      ``cr`` is "0"; the listenKey's key is not deleted
                                      when its connections close.
====================================  ======================================================
"""

from __future__ import annotations

from .algo import AlgoOrder
from .audit import Audit, RequestRecord
from .auth import Credentials
from .books import Income, UserTrade
from .clock import SimClock
from .engine import Order, Position
from .faults import FaultKind, FaultPlan
from .market import SymbolSpec
from .ratelimit import RateLimitConfig
from .serve import KeySpec, ServeOptions, serve_forever
from .simulator import Simulator
from .spot import SpotConfig, SpotRateLimitConfig

__all__ = [
    "AlgoOrder",
    "Audit",
    "Credentials",
    "FaultKind",
    "FaultPlan",
    "Income",
    "KeySpec",
    "Order",
    "Position",
    "RateLimitConfig",
    "RequestRecord",
    "ServeOptions",
    "SimClock",
    "Simulator",
    "SpotConfig",
    "SpotRateLimitConfig",
    "SymbolSpec",
    "UserTrade",
    "serve_forever",
]
