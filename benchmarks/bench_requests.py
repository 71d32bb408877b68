"""Client CPU per request and requests/s: binance_async vs raw aiohttp with hand-written HMAC.

Both talk to the simulator running in a separate process on 127.0.0.1, in the same run, so
the ratio is what matters (absolute numbers move with the machine). Bounded: a fixed count
of requests per case, and every case has a time limit.

    python benchmarks/bench_requests.py [--requests 3000] [--concurrency 50] [--rounds 3]

``--json`` prints the medians as one JSON object (``benchmarks/compare_versions.py`` runs this
script under two versions of the library, alternating, and compares them).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import aiohttp
import orjson

from binance_async import UMFutures

HERE = Path(__file__).resolve().parent
CASE_TIME_LIMIT_S = 120


def start_simulator(api_key: str, secret: str) -> tuple[subprocess.Popen[str], str]:
    """Start the simulator process and return it with its base URL."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "_sim_server.py"), api_key, secret],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        proc.kill()
        raise RuntimeError(f"simulator did not start: {line!r}")
    return proc, line.split()[1]


async def run_case(
    call: Callable[[int], Awaitable[object]], requests: int, concurrency: int
) -> tuple[float, float]:
    """Run ``requests`` calls from ``concurrency`` tasks; CPU us/request and requests/s."""
    counter = iter(range(requests))

    async def worker() -> None:
        for i in counter:
            await call(i)

    cpu0, wall0 = time.process_time(), time.perf_counter()
    async with asyncio.timeout(CASE_TIME_LIMIT_S):
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return cpu / requests * 1e6, requests / wall


class Raw:
    """What a careful user writes by hand with aiohttp: f-string query, hmac, one session."""

    def __init__(self, base: str, api_key: str, secret: str) -> None:
        self.base = base
        self.secret = secret.encode()
        self.headers = {"X-MBX-APIKEY": api_key}
        self.form = {**self.headers, "Content-Type": "application/x-www-form-urlencoded"}
        self.offset_ms = 0

    async def __aenter__(self) -> Raw:
        self.session = aiohttp.ClientSession()
        async with self.session.get(f"{self.base}/fapi/v1/time") as r:
            self.offset_ms = orjson.loads(await r.read())["serverTime"] - int(time.time() * 1000)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()

    async def time(self, _: int) -> object:
        async with self.session.get(f"{self.base}/fapi/v1/time") as r:
            return orjson.loads(await r.read())["serverTime"]

    async def order(self, i: int) -> object:
        side = "BUY" if i % 2 == 0 else "SELL"
        ts = int(time.time() * 1000) + self.offset_ms
        body = (
            f"symbol=BTCUSDT&side={side}&type=MARKET&quantity=0.003&newClientOrderId=raw-{i}"
            f"&recvWindow=5000&timestamp={ts}"
        )
        sig = hmac.new(self.secret, body.encode(), hashlib.sha256).hexdigest()
        data = f"{body}&signature={sig}".encode()
        async with self.session.post(
            f"{self.base}/fapi/v1/order", data=data, headers=self.form
        ) as r:
            payload = orjson.loads(await r.read())
        if r.status != 200:
            raise RuntimeError(payload)
        return payload


async def bench(
    base: str, api_key: str, secret: str, requests: int, concurrency: int, rounds: int
) -> dict[str, tuple[float, float]]:
    """CPU us/request and requests/s per case, medians over ``rounds``."""
    results: dict[str, list[tuple[float, float]]] = {}
    qty = Decimal("0.003")
    for round_no in range(rounds):
        async with Raw(base, api_key, secret) as raw:
            await run_case(raw.time, 200, concurrency)  # warm-up
            results.setdefault("raw GET /fapi/v1/time", []).append(
                await run_case(raw.time, requests, concurrency)
            )
            results.setdefault("raw POST /fapi/v1/order", []).append(
                await run_case(raw.order, requests, concurrency)
            )
        async with UMFutures(api_key, secret, base_url=base) as client:
            await client.exchange_info()
            tag = f"r{round_no}"

            async def lib_order(i: int, tag: str = tag) -> object:
                return await client.new_order(
                    symbol="BTCUSDT",
                    side="BUY" if i % 2 == 0 else "SELL",
                    type="MARKET",
                    quantity=qty,
                    new_client_order_id=f"lib-{tag}-{i}",
                )

            async def lib_time(_: int) -> object:
                return await client.server_time()

            await run_case(lib_time, 200, concurrency)  # warm-up
            results.setdefault("binance_async GET /fapi/v1/time", []).append(
                await run_case(lib_time, requests, concurrency)
            )
            results.setdefault("binance_async POST /fapi/v1/order", []).append(
                await run_case(lib_order, requests, concurrency)
            )

    return {
        name: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        for name, runs in results.items()
    }


def report(medians: dict[str, tuple[float, float]], requests: int, concurrency: int) -> None:
    """Print the table and the ratios to raw aiohttp."""
    print(f"requests per case: {requests}, concurrency: {concurrency} (median of rounds)")
    print(f"{'case':38} {'CPU us/req':>11} {'req/s':>9}")
    for name, (cpu, rate) in medians.items():
        print(f"{name:38} {cpu:11.1f} {rate:9.0f}")
    for what in ("GET /fapi/v1/time", "POST /fapi/v1/order"):
        ratio = medians[f"binance_async {what}"][0] / medians[f"raw {what}"][0]
        print(f"CPU ratio binance_async / raw aiohttp, {what}: {ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the medians as JSON")
    args = parser.parse_args()
    api_key, secret = secrets.token_hex(32), secrets.token_hex(32)
    proc, base = start_simulator(api_key, secret)
    try:
        medians = asyncio.run(
            bench(base, api_key, secret, args.requests, args.concurrency, args.rounds)
        )
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)
    if args.json:
        print(json.dumps(medians))
        return
    report(medians, args.requests, args.concurrency)
    print(f"python {sys.version.split()[0]}, aiohttp {aiohttp.__version__}, pid {os.getpid()}")


if __name__ == "__main__":
    main()
