"""One client in its own process, against a simulator already serving: bench_peers.py runs it.

    python _peer_drivers.py speed CLIENT BASE_URL API_KEY SECRET REQUESTS CONCURRENCY
    python _peer_drivers.py burst|clock|faults CLIENT BASE_URL API_KEY SECRET TOKEN

``speed`` prints the client's CPU per request (public GET of the server time, then signed
MARKET orders with ``newOrderRespType=ACK``) and its requests per second, as JSON. The
reliability scenarios print what the caller saw; bench_peers.py reads the simulator's audit
for what the exchange saw. Every workload is bounded in count and in time.

Each client is used the way its documentation shows; nothing here tunes one of them. The
official SDK is synchronous (``requests``): its calls run in a pool of as many threads as
there are calls in flight.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

SYMBOL = "BTCUSDT"
QTY = "0.003"
CASE_TIME_LIMIT_S = 180
CLIENTS = ("raw aiohttp", "binance_async", "ccxt", "python-binance", "binance-sdk")

Call = Callable[[int], Awaitable[object]]


class Driver:
    """A client's public GET and signed MARKET order, as async calls taking an index."""

    def __init__(self, base: str, api_key: str, secret: str, *, scenario: bool) -> None:
        self.base, self.api_key, self.secret = base, api_key, secret
        self.scenario = scenario
        self.tag = secrets.token_hex(3)

    def cid(self, i: int) -> str:
        """Order ``i``'s client id (unique per process)."""
        return f"b{self.tag}-{i}"

    async def open(self) -> None:
        """Connect, and read what the client reads before its first order."""

    async def close(self) -> None:
        """Close what ``open`` opened."""

    async def time(self, i: int) -> object:
        raise NotImplementedError

    async def order(self, i: int, cid: str | None = None) -> object:
        raise NotImplementedError


class RawDriver(Driver):
    """What a careful user writes by hand: one aiohttp session, an f-string, hmac, orjson."""

    async def open(self) -> None:
        import aiohttp
        import orjson

        self._loads = orjson.loads
        self._secret = self.secret.encode()
        self._headers = {"X-MBX-APIKEY": self.api_key}
        self._form = {**self._headers, "Content-Type": "application/x-www-form-urlencoded"}
        self.session = aiohttp.ClientSession()
        async with self.session.get(f"{self.base}/fapi/v1/time") as r:
            server = self._loads(await r.read())["serverTime"]
        self._offset_ms = server - int(time.time() * 1000)

    async def close(self) -> None:
        await self.session.close()

    async def time(self, i: int) -> object:
        async with self.session.get(f"{self.base}/fapi/v1/time") as r:
            return self._loads(await r.read())["serverTime"]

    async def order(self, i: int, cid: str | None = None) -> object:
        side = "BUY" if i % 2 == 0 else "SELL"
        ts = int(time.time() * 1000) + self._offset_ms
        body = (
            f"symbol={SYMBOL}&side={side}&type=MARKET&quantity={QTY}"
            f"&newClientOrderId={cid or self.cid(i)}&newOrderRespType=ACK"
            f"&recvWindow=5000&timestamp={ts}"
        )
        sig = hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()
        data = f"{body}&signature={sig}".encode()
        async with self.session.post(
            f"{self.base}/fapi/v1/order", data=data, headers=self._form
        ) as r:
            payload = self._loads(await r.read())
        if r.status != 200:
            raise RuntimeError(f"{r.status} {payload}")
        return payload


class LibDriver(Driver):
    """binance_async: validation against the symbol's filters, limiter, gate, Order model."""

    async def open(self) -> None:
        from binance_async import UMFutures

        self.client = UMFutures(self.api_key, self.secret, base_url=self.base)
        await self.client.__aenter__()
        await self.client.exchange_info()  # the symbols' rules and the exchange's limits
        self._qty = Decimal(QTY)

    async def close(self) -> None:
        await self.client.aclose()

    async def time(self, i: int) -> object:
        return await self.client.server_time()

    async def order(self, i: int, cid: str | None = None) -> object:
        return await self.client.new_order(
            symbol=SYMBOL,
            side="BUY" if i % 2 == 0 else "SELL",
            type="MARKET",
            quantity=self._qty,
            new_client_order_id=cid or self.cid(i),
            new_order_resp_type="ACK",
        )


class CcxtDriver(Driver):
    """ccxt's async binanceusdm, its URLs pointed at the simulator. Its own rate limiter is
    off for the speed runs (it sleeps between calls) and on, as shipped, for the scenarios."""

    async def open(self) -> None:
        import ccxt.async_support as ccxt

        self.exchange = ccxt.binanceusdm(
            {
                "apiKey": self.api_key,
                "secret": self.secret,
                "enableRateLimit": self.scenario,
                "options": {"fetchMarkets": {"types": ["linear"]}},
            }
        )
        for name, url in list(self.exchange.urls["api"].items()):
            if isinstance(url, str):
                self.exchange.urls["api"][name] = url.replace(
                    "https://fapi.binance.com", self.base
                ).replace("https://api.binance.com", self.base)
        self.exchange.has["fetchCurrencies"] = False  # the spot wallet (/sapi/) is not simulated
        await self.exchange.load_markets()
        self.market = "BTC/USDT:USDT"

    async def close(self) -> None:
        await self.exchange.close()

    async def time(self, i: int) -> object:
        return await self.exchange.fetch_time()

    async def order(self, i: int, cid: str | None = None) -> object:
        return await self.exchange.create_order(
            self.market,
            "market",
            "buy" if i % 2 == 0 else "sell",
            float(QTY),
            None,
            {"newClientOrderId": cid or self.cid(i), "newOrderRespType": "ACK"},
        )


class PythonBinanceDriver(Driver):
    """python-binance's AsyncClient, its URLs pointed at the simulator."""

    async def open(self) -> None:
        import binance

        cls = type(
            "SimAsyncClient",
            (binance.AsyncClient,),
            {
                "API_URL": self.base + "/api",
                "FUTURES_URL": self.base + "/fapi",
                "FUTURES_DATA_URL": self.base + "/futures/data",
            },
        )
        self.client = await cls.create(self.api_key, self.secret)

    async def close(self) -> None:
        await self.client.close_connection()

    async def time(self, i: int) -> object:
        return await self.client.futures_time()

    async def order(self, i: int, cid: str | None = None) -> object:
        return await self.client.futures_create_order(
            symbol=SYMBOL,
            side="BUY" if i % 2 == 0 else "SELL",
            type="MARKET",
            quantity=QTY,
            newClientOrderId=cid or self.cid(i),
            newOrderRespType="ACK",
        )


class SdkDriver(Driver):
    """Binance's official USDⓈ-M SDK (synchronous): each call in a worker thread."""

    def __init__(self, *args: Any, threads: int = 50, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pool = ThreadPoolExecutor(max_workers=threads)

    async def open(self) -> None:
        from binance_common.configuration import ConfigurationRestAPI
        from binance_sdk_derivatives_trading_usds_futures import DerivativesTradingUsdsFutures
        from binance_sdk_derivatives_trading_usds_futures.rest_api import models

        config = ConfigurationRestAPI(
            api_key=self.api_key, api_secret=self.secret, base_path=self.base
        )
        self.api = DerivativesTradingUsdsFutures(config_rest_api=config).rest_api
        self.models = models

    async def close(self) -> None:
        self.pool.shutdown(wait=True)

    async def _run(self, fn: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn)

    async def time(self, i: int) -> object:
        return await self._run(lambda: self.api.check_server_time().data())

    async def order(self, i: int, cid: str | None = None) -> object:
        m = self.models
        side = m.NewOrderSideEnum.BUY if i % 2 == 0 else m.NewOrderSideEnum.SELL
        client_id = cid or self.cid(i)
        return await self._run(
            lambda: self.api.new_order(
                symbol=SYMBOL,
                side=side,
                type="MARKET",
                quantity=float(QTY),
                new_client_order_id=client_id,
                new_order_resp_type=m.NewOrderNewOrderRespTypeEnum.ACK,
            ).data()
        )


DRIVERS: dict[str, type[Driver]] = {
    "raw aiohttp": RawDriver,
    "binance_async": LibDriver,
    "ccxt": CcxtDriver,
    "python-binance": PythonBinanceDriver,
    "binance-sdk": SdkDriver,
}


async def run_case(call: Call, first: int, count: int, concurrency: int) -> tuple[float, float]:
    """``count`` calls from ``concurrency`` tasks: CPU us per call and calls per second."""
    indexes = iter(range(first, first + count))

    async def worker() -> None:
        for i in indexes:
            await call(i)

    cpu0, wall0 = time.process_time(), time.perf_counter()
    async with asyncio.timeout(CASE_TIME_LIMIT_S):
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return cpu / count * 1e6, count / wall


async def speed(driver: Driver, requests: int, concurrency: int) -> dict[str, float]:
    """Warm up, then the public GET and the signed order, each ``requests`` calls."""
    await driver.open()
    try:
        await run_case(driver.time, 0, min(200, requests), concurrency)
        await run_case(driver.order, 10**6, min(200, requests), concurrency)
        get_cpu, get_rate = await run_case(driver.time, 0, requests, concurrency)
        order_cpu, order_rate = await run_case(driver.order, 0, requests, concurrency)
    finally:
        await driver.close()
    return {
        "get_cpu_us": get_cpu,
        "get_per_s": get_rate,
        "order_cpu_us": order_cpu,
        "orders_per_s": order_rate,
    }


def control(base: str, token: str, method: str, path: str, body: object = None) -> Any:
    """One call to the simulator's control API."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{base}/_sim{path}",
        data=data,
        method=method,
        headers={"X-Sim-Token": token, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


async def burst(driver: Driver, budget: int) -> dict[str, Any]:
    """Twice the window's weight budget of public GETs (weight 1), from 50 tasks at once."""
    await driver.open()
    errors = 0

    async def one(i: int) -> None:
        nonlocal errors
        try:
            await driver.time(i)
        except Exception:
            errors += 1

    try:
        await run_case(one, 0, 2 * budget, 50)
    finally:
        await driver.close()
    return {"calls": 2 * budget, "errors": errors}


async def clock_jump(driver: Driver, token: str, orders: int) -> dict[str, Any]:
    """The exchange's clock steps 3 s back once the client is synced; then ``orders`` MARKET
    orders one after another, each tried once."""
    await driver.open()
    await driver.time(0)
    since = control(driver.base, token, "GET", "/audit?since=999999999")["next"]
    control(driver.base, token, "POST", "/clock/jump", {"ms": -3000})
    placed = errors = 0
    try:
        async with asyncio.timeout(CASE_TIME_LIMIT_S):
            for i in range(orders):
                try:
                    await driver.order(i)
                    placed += 1
                except Exception:
                    errors += 1
    finally:
        await driver.close()
    return {"since": since, "placed": placed, "errors": errors}


async def faults(driver: Driver, token: str, orders: int, tries: int) -> dict[str, Any]:
    """``orders`` MARKET orders, 10 in flight, under 503s on POST /fapi/v1/order (10% each of
    "Unknown error" executed, "Unknown error" not executed, "Service Unavailable."). A caller
    who gets an error tries again with the same client order id, ``tries`` times in all."""
    await driver.open()
    plan = {
        "unknown_executed": 0.1,
        "unknown_not_executed": 0.1,
        "unavailable": 0.1,
        "endpoints": [["POST", "/fapi/v1/order"]],
    }
    control(driver.base, token, "PUT", "/faults/plan", plan)
    failed: list[str] = []

    async def one(i: int) -> None:
        cid = driver.cid(i)
        for _ in range(tries):
            try:
                await driver.order(i, cid)
                return
            except Exception:
                pass
        failed.append(cid)

    try:
        await run_case(one, 0, orders, 10)
    finally:
        control(driver.base, token, "DELETE", "/faults/plan")
        await driver.close()
    return {"ids": [driver.cid(i) for i in range(orders)], "failed": failed}


def main() -> None:
    mode, client, base, api_key, secret = sys.argv[1:6]
    cls = DRIVERS[client]
    driver = cls(base, api_key, secret, scenario=mode != "speed")
    if mode == "speed":
        requests, concurrency = int(sys.argv[6]), int(sys.argv[7])
        result: dict[str, Any] = asyncio.run(speed(driver, requests, concurrency))
    elif mode == "burst":
        result = asyncio.run(burst(driver, int(sys.argv[7])))
    elif mode == "clock":
        result = asyncio.run(clock_jump(driver, sys.argv[6], 20))
    elif mode == "faults":
        result = asyncio.run(faults(driver, sys.argv[6], 60, 3))
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
