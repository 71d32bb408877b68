"""Orders over REST against orders over the WebSocket API: latency p50/p99 and client CPU.

Four cases, each with 1 and with 50 orders in flight, against the simulator running in a
separate process on 127.0.0.1, in the same run:

* ``raw REST``: aiohttp with a hand-written HMAC form body (what a careful user writes);
* ``raw WS API``: one aiohttp WebSocket, hand-written sorted-param HMAC, answers by id;
* ``binance_async REST``: ``client.new_order``;
* ``binance_async WS API``: ``ws.new_order`` in ``async with client.ws_api() as ws``.

Latency is each order's wall time from call to model (on loopback: mostly the simulator's
and the client's CPU, not the network); CPU is the client process's CPU per order. Ratios
against the raw cases are what matter. Bounded: a fixed count of orders per case and a time
limit per case.

    python benchmarks/bench_wsapi.py [--orders 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import os
import secrets
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import aiohttp
import orjson
from bench_requests import Raw, start_simulator

from binance_async import UMFutures

CASE_TIME_LIMIT_S = 120
QTY = Decimal("0.003")


async def run_case(
    call: Callable[[int], Awaitable[object]], orders: int, in_flight: int
) -> tuple[float, float, float]:
    """``orders`` calls from ``in_flight`` tasks: (p50 ms, p99 ms, client CPU us per order)."""
    counter = iter(range(orders))
    latencies: list[float] = []
    clock = time.perf_counter

    async def worker() -> None:
        for i in counter:
            started = clock()
            await call(i)
            latencies.append(clock() - started)

    cpu0 = time.process_time()
    async with asyncio.timeout(CASE_TIME_LIMIT_S):
        await asyncio.gather(*(worker() for _ in range(in_flight)))
    cpu = time.process_time() - cpu0
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return p50, p99, cpu / orders * 1e6


class RawWs:
    """One aiohttp WebSocket: sorted-param HMAC by hand, a reader matching answers by id."""

    def __init__(self, base: str, api_key: str, secret: str, tag: str) -> None:
        self.base, self.api_key, self.secret, self.tag = base, api_key, secret.encode(), tag
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.ids = itertools.count(1)
        self.offset_ms = 0

    async def __aenter__(self) -> RawWs:
        self.session = aiohttp.ClientSession()
        async with self.session.get(f"{self.base}/fapi/v1/time") as r:
            self.offset_ms = orjson.loads(await r.read())["serverTime"] - int(time.time() * 1000)
        self.ws = await self.session.ws_connect(self.base.replace("http", "ws") + "/ws-fapi/v1")
        self.reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        async for message in self.ws:
            answer = orjson.loads(message.data)
            future = self.pending.pop(answer["id"], None)
            if future is not None:
                future.set_result(answer)

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()
        self.reader.cancel()
        await asyncio.gather(self.reader, return_exceptions=True)
        await self.session.close()

    async def order(self, i: int) -> object:
        params: dict[str, Any] = {
            "apiKey": self.api_key,
            "newClientOrderId": f"rw-{self.tag}-{i}",
            "quantity": "0.003",
            "recvWindow": 5000,
            "side": "BUY" if i % 2 == 0 else "SELL",
            "symbol": "BTCUSDT",
            "timestamp": int(time.time() * 1000) + self.offset_ms,
            "type": "MARKET",
        }  # already sorted by name
        payload = "&".join(f"{k}={v}" for k, v in params.items()).encode()
        params["signature"] = hmac.new(self.secret, payload, hashlib.sha256).hexdigest()
        rid = next(self.ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[rid] = future
        await self.ws.send_str(
            orjson.dumps({"id": rid, "method": "order.place", "params": params}).decode()
        )
        answer = await future
        if answer["status"] != 200:
            raise RuntimeError(answer)
        return answer["result"]


async def bench(
    base: str, api_key: str, secret: str, orders: int, rounds: int
) -> dict[str, tuple[float, float, float]]:
    """(p50 ms, p99 ms, CPU us/order) per case and in-flight count, medians over rounds."""
    results: dict[str, list[tuple[float, float, float]]] = {}
    ws_url = base.replace("http://", "ws://") + "/ws-fapi/v1"
    for round_no in range(rounds):
        for in_flight in (1, 50):
            tag = f"{round_no}-{in_flight}"
            count = orders if in_flight > 1 else max(orders // 4, 100)
            async with Raw(base, api_key, secret) as raw_rest:
                await run_case(raw_rest.order, 50, in_flight)  # warm-up
                results.setdefault(f"raw REST x{in_flight}", []).append(
                    await run_case(raw_rest.order, count, in_flight)
                )
            async with RawWs(base, api_key, secret, tag) as raw_ws:
                await run_case(raw_ws.order, 50, in_flight)
                results.setdefault(f"raw WS API x{in_flight}", []).append(
                    await run_case(raw_ws.order, count, in_flight)
                )
            async with UMFutures(api_key, secret, base_url=base, ws_api_url=ws_url) as client:
                await client.exchange_info()

                def lib(
                    place: Callable[..., Awaitable[object]], prefix: str, tag: str = tag
                ) -> Callable[[int], Awaitable[object]]:
                    async def order(i: int) -> object:
                        return await place(
                            symbol="BTCUSDT",
                            side="BUY" if i % 2 == 0 else "SELL",
                            type="MARKET",
                            quantity=QTY,
                            new_client_order_id=f"{prefix}-{tag}-{i}",
                        )

                    return order

                rest = lib(client.new_order, "lr")
                await run_case(rest, 50, in_flight)
                results.setdefault(f"binance_async REST x{in_flight}", []).append(
                    await run_case(rest, count, in_flight)
                )
                async with client.ws_api() as ws:
                    over_ws = lib(ws.new_order, "lw")
                    await run_case(over_ws, 50, in_flight)
                    results.setdefault(f"binance_async WS API x{in_flight}", []).append(
                        await run_case(over_ws, count, in_flight)
                    )
    return {
        name: tuple(statistics.median(r[k] for r in runs) for k in range(3))  # type: ignore[misc]
        for name, runs in results.items()
    }


def report(medians: dict[str, tuple[float, float, float]], orders: int) -> None:
    """Print the table and the ratios."""
    print(f"orders per case: {orders} (x1: {max(orders // 4, 100)}), median of rounds")
    print(f"{'case':30} {'p50 ms':>8} {'p99 ms':>8} {'CPU us/order':>13}")
    for name, (p50, p99, cpu) in medians.items():
        print(f"{name:30} {p50:8.2f} {p99:8.2f} {cpu:13.1f}")
    for n in (1, 50):
        rest, ws = medians[f"binance_async REST x{n}"], medians[f"binance_async WS API x{n}"]
        raw_ws = medians[f"raw WS API x{n}"]
        raw_rest = medians[f"raw REST x{n}"]
        print(
            f"x{n}: WS API / REST: p50 {ws[0] / rest[0]:.2f}x, CPU {ws[2] / rest[2]:.2f}x; "
            f"CPU vs raw: REST {rest[2] / raw_rest[2]:.2f}x, WS API {ws[2] / raw_ws[2]:.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    api_key, secret = secrets.token_hex(32), secrets.token_hex(32)
    proc, base = start_simulator(api_key, secret)
    try:
        medians = asyncio.run(bench(base, api_key, secret, args.orders, args.rounds))
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)
    report(medians, args.orders)
    print(f"python {sys.version.split()[0]}, aiohttp {aiohttp.__version__}, pid {os.getpid()}")


if __name__ == "__main__":
    main()
