"""Other Binance clients against the simulator: ccxt, python-binance and Binance's official SDK
(binance-sdk-derivatives-trading-usds-futures), each with an HMAC, an RSA and an Ed25519 key,
through server time, exchange info, MARKET and LIMIT orders, query, cancel, open orders,
positions, account, balance, klines, leverage and an algo (conditional) order.

The clients come with the ``compat`` extra (``pip install 'binance_async[compat]'``); a test
whose client is not installed is skipped. Every request goes to the simulator on 127.0.0.1;
after each run, the simulator's audit must show every call answered 200 and the orders in the
state the client was told.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import re
from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest

from binance_async.testing import Credentials, Simulator

SYMBOL = "BTCUSDT"
#: Any https Binance host (api., fapi., dapi. ...), sent to the simulator instead.
BINANCE_HOST = re.compile(r"https://(?:[a-z0-9-]+\.)+binance\.com")
#: (METHOD, path) every client's run must have sent (and had answered 200).
EXPECTED = {
    ("GET", "/fapi/v1/time"),
    ("GET", "/fapi/v1/exchangeInfo"),
    ("POST", "/fapi/v1/order"),
    ("GET", "/fapi/v1/order"),
    ("DELETE", "/fapi/v1/order"),
    ("GET", "/fapi/v1/openOrders"),
    ("GET", "/fapi/v1/klines"),
    ("POST", "/fapi/v1/leverage"),
    ("POST", "/fapi/v1/algoOrder"),
}

Driver = Callable[[Simulator, Credentials], Awaitable[set[tuple[str, str]]]]


def _secret(creds: Credentials) -> str:
    if creds.api_secret is not None:
        return creds.api_secret
    assert creds.private_key_pem is not None
    return creds.private_key_pem.decode()


def _check_state(sim: Simulator) -> None:
    """One MARKET order filled, the LIMIT cancelled, one algo order waiting, leverage 10."""
    orders = sim.audit.orders
    assert [o.type for o in orders] == ["MARKET", "LIMIT"]
    assert [o.status for o in orders] == ["FILLED", "CANCELED"]
    assert sim.position(SYMBOL).amount == Decimal("0.010")
    leverage = [r for r in sim.audit.requests if r.path == "/fapi/v1/leverage"]
    assert len(leverage) == 1 and "leverage=10" in leverage[0].query + leverage[0].body.decode()
    algos = sim.open_algo_orders()
    assert [(a.request.order_type, a.request.side, a.status) for a in algos] == [
        ("STOP_MARKET", "SELL", "NEW")
    ]


# -- ccxt -----------------------------------------------------------------------------------


async def drive_ccxt(sim: Simulator, creds: Credentials) -> set[tuple[str, str]]:
    """ccxt's async binanceusdm, its URLs pointed at the simulator."""
    ccxt = pytest.importorskip("ccxt.async_support")
    exchange = ccxt.binanceusdm(
        {
            "apiKey": creds.api_key,
            "secret": _secret(creds),
            "enableRateLimit": False,
            "options": {
                "fetchMarkets": {"types": ["linear"]},
                "warnOnFetchOpenOrdersWithoutSymbol": False,
            },
        }
    )
    for name, url in list(exchange.urls["api"].items()):
        if isinstance(url, str):  # every Binance host ccxt knows -> the simulator on loopback
            exchange.urls["api"][name] = BINANCE_HOST.sub(sim.base_url, url)
    exchange.has["fetchCurrencies"] = False  # the spot wallet's /sapi/ is not simulated
    market = "BTC/USDT:USDT"
    try:
        server_time = await exchange.fetch_time()
        assert abs(server_time - sim.clock.now_ms()) < 60_000
        markets = await exchange.load_markets()
        assert market in markets
        filled = await exchange.create_order(market, "market", "buy", 0.01)
        assert filled["id"]
        resting = await exchange.create_order(market, "limit", "buy", 0.01, 49000)
        assert resting["status"] == "open"
        queried = await exchange.fetch_order(resting["id"], market)
        assert (queried["price"], queried["amount"]) == (49000, 0.01)
        assert [o["id"] for o in await exchange.fetch_open_orders(market)] == [resting["id"]]
        cancelled = await exchange.cancel_order(resting["id"], market)
        assert cancelled["status"] == "canceled"
        assert await exchange.fetch_open_orders(market) == []
        await exchange.set_leverage(10, market)
        positions = await exchange.fetch_positions([market])
        assert [(p["symbol"], p["contracts"]) for p in positions] == [(market, 0.01)]
        balance = await exchange.fetch_balance()
        assert balance["USDT"]["total"] > 0
        account = await exchange.fapiPrivateV2GetAccount()
        assert account["assets"]
        raw_balance = await exchange.fapiPrivateV2GetBalance()
        assert any(b["asset"] == "USDT" for b in raw_balance)
        candles = await exchange.fetch_ohlcv(market, "1m", limit=5)
        assert len(candles) == 5 and all(len(c) == 6 for c in candles)
        stop = await exchange.create_order(
            market, "market", "sell", 0.01, None, {"triggerPrice": 45000, "reduceOnly": True}
        )
        assert stop["id"]
    finally:
        await exchange.close()
    return {("GET", "/fapi/v3/positionRisk"), ("GET", "/fapi/v1/leverageBracket")}


# -- python-binance -------------------------------------------------------------------------


async def drive_python_binance(sim: Simulator, creds: Credentials) -> set[tuple[str, str]]:
    """python-binance's AsyncClient (it pings /api/v3/ping and reads /api/v3/time first)."""
    binance = pytest.importorskip("binance")
    client_class = type(
        "SimAsyncClient",
        (binance.AsyncClient,),
        {
            "API_URL": sim.base_url + "/api",
            "FUTURES_URL": sim.base_url + "/fapi",
            "FUTURES_DATA_URL": sim.base_url + "/futures/data",
        },
    )
    if creds.api_secret is not None:
        client = await client_class.create(creds.api_key, creds.api_secret)
    else:
        client = await client_class.create(creds.api_key, private_key=_secret(creds))
    try:
        server_time = await client.futures_time()
        assert abs(server_time["serverTime"] - sim.clock.now_ms()) < 60_000
        info = await client.futures_exchange_info()
        assert SYMBOL in {s["symbol"] for s in info["symbols"]}
        filled = await client.futures_create_order(
            symbol=SYMBOL, side="BUY", type="MARKET", quantity="0.01"
        )
        assert filled["orderId"]
        resting = await client.futures_create_order(
            symbol=SYMBOL,
            side="BUY",
            type="LIMIT",
            timeInForce="GTC",
            quantity="0.01",
            price="49000",
        )
        queried = await client.futures_get_order(symbol=SYMBOL, orderId=resting["orderId"])
        assert (queried["status"], queried["price"]) == ("NEW", "49000.00")
        open_orders = await client.futures_get_open_orders(symbol=SYMBOL)
        assert [o["orderId"] for o in open_orders] == [resting["orderId"]]
        cancelled = await client.futures_cancel_order(symbol=SYMBOL, orderId=resting["orderId"])
        assert cancelled["status"] == "CANCELED"
        leverage = await client.futures_change_leverage(symbol=SYMBOL, leverage=10)
        assert leverage["leverage"] == 10
        positions = await client.futures_position_information(symbol=SYMBOL)
        assert [Decimal(p["positionAmt"]) for p in positions] == [Decimal("0.01")]
        account = await client.futures_account()
        assert account["assets"]
        balance = await client.futures_account_balance()
        assert any(b["asset"] == "USDT" for b in balance)
        candles = await client.futures_klines(symbol=SYMBOL, interval="1m", limit=5)
        assert len(candles) == 5
        algo = await client.futures_create_algo_order(
            algoType="CONDITIONAL",
            symbol=SYMBOL,
            side="SELL",
            type="STOP_MARKET",
            quantity="0.01",
            triggerPrice="45000",
            reduceOnly="true",
        )
        assert algo["algoStatus"] == "NEW"
    finally:
        await client.close_connection()
    return {("GET", "/api/v3/ping"), ("GET", "/api/v3/time"), ("GET", "/fapi/v3/balance")}


# -- Binance's official SDK -----------------------------------------------------------------


def _sdk_calls(sim: Simulator, creds: Credentials) -> None:
    """The official SDK is synchronous (requests): it runs in a worker thread."""
    sdk = pytest.importorskip("binance_sdk_derivatives_trading_usds_futures")
    common = pytest.importorskip("binance_common.configuration")
    rest = pytest.importorskip("binance_sdk_derivatives_trading_usds_futures.rest_api.models")
    config = common.ConfigurationRestAPI(
        api_key=creds.api_key,
        api_secret=creds.api_secret,
        private_key=creds.private_key_pem,
        base_path=sim.base_url,
        timeout=10_000,
        retries=0,
    )
    api = sdk.DerivativesTradingUsdsFutures(config_rest_api=config).rest_api
    server_time = api.check_server_time().data()
    assert abs(server_time.server_time - sim.clock.now_ms()) < 60_000
    info = api.exchange_information().data()
    assert SYMBOL in {s.symbol for s in info.symbols}
    side = rest.NewOrderSideEnum
    filled = api.new_order(symbol=SYMBOL, side=side.BUY, type="MARKET", quantity=0.01).data()
    assert filled.order_id
    resting = api.new_order(
        symbol=SYMBOL,
        side=side.BUY,
        type="LIMIT",
        time_in_force=rest.NewOrderTimeInForceEnum.GTC,
        quantity=0.01,
        price=49000.0,
    ).data()
    queried = api.query_order(symbol=SYMBOL, order_id=resting.order_id).data()
    assert (queried.status, queried.price) == ("NEW", "49000.00")
    open_orders = api.current_all_open_orders(symbol=SYMBOL).data()
    assert [o.order_id for o in open_orders] == [resting.order_id]
    cancelled = api.cancel_order(symbol=SYMBOL, order_id=resting.order_id).data()
    assert cancelled.status == "CANCELED"
    assert api.change_initial_leverage(symbol=SYMBOL, leverage=10).data().leverage == 10
    positions = api.position_information_v3(symbol=SYMBOL).data()
    assert [Decimal(p.position_amt) for p in positions] == [Decimal("0.01")]
    account = api.account_information_v3().data()
    assert account.assets
    balance = api.futures_account_balance_v3().data()
    assert any(b.asset == "USDT" for b in balance)
    candles = api.kline_candlestick_data(
        symbol=SYMBOL, interval=rest.KlineCandlestickDataIntervalEnum.INTERVAL_1m, limit=5
    ).data()
    assert len(candles) == 5
    algo = api.new_algo_order(
        algo_type=rest.NewAlgoOrderAlgoTypeEnum.CONDITIONAL,
        symbol=SYMBOL,
        side=rest.NewAlgoOrderSideEnum.SELL,
        type=rest.NewAlgoOrderTypeEnum.STOP_MARKET,
        quantity=0.01,
        trigger_price=45000.0,
        reduce_only=rest.NewAlgoOrderReduceOnlyEnum.TRUE,
    ).data()
    assert algo.algo_status == "NEW"


async def drive_sdk(sim: Simulator, creds: Credentials) -> set[tuple[str, str]]:
    """Binance's official SDK (REST), in a thread while the simulator serves on this loop."""
    await asyncio.to_thread(functools.partial(_sdk_calls, sim, creds))
    return {("GET", "/fapi/v3/positionRisk"), ("GET", "/fapi/v3/account")}


DRIVERS: dict[str, Driver] = {
    "ccxt": drive_ccxt,
    "python-binance": drive_python_binance,
    "binance-sdk": drive_sdk,
}


#: peer -> the top-level module it installs.
MODULES = {
    "ccxt": "ccxt",
    "python-binance": "binance",
    "binance-sdk": "binance_sdk_derivatives_trading_usds_futures",
}


def _peer(name: str) -> object:
    """A ``peer`` parameter, skipped (before any fixture runs) when the client is missing."""
    module = MODULES[name]
    missing = importlib.util.find_spec(module) is None
    reason = f"{name} is not installed ({module}): pip install 'binance_async[compat]'"
    return pytest.param(name, id=name, marks=pytest.mark.skipif(missing, reason=reason))


@pytest.mark.parametrize("peer", [_peer(name) for name in sorted(DRIVERS)])
async def test_peer_client_round_trip(
    peer: str, binance_simulator: Simulator, binance_credentials: Credentials
) -> None:
    """Each client, each key type: every call answered 200, the exchange in the state the
    client was told."""
    sim = binance_simulator
    async with asyncio.timeout(60):
        also = await DRIVERS[peer](sim, binance_credentials)
    sent = {(r.method, r.path) for r in sim.audit.requests}
    failed = [(r.method, r.path, r.status, r.code) for r in sim.audit.requests if r.status != 200]
    assert failed == []
    assert EXPECTED | also <= sent, sorted(EXPECTED | also - sent)
    assert {r.api_key for r in sim.audit.requests if r.api_key} == {binance_credentials.api_key}
    _check_state(sim)
