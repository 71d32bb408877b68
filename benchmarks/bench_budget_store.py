"""Client CPU per request and latency: no budget store, MemoryBudgetStore, RedisBudgetStore.

One simulator process and one redis-server (started here on a free loopback port, or
``--redis-url``) serve every case, in the same run, rounds alternating, so the ratios are what
matters (absolute numbers move with the machine). CPU is this process's (the client's): the
simulator and Redis run elsewhere. Latency is per call with one caller at a time; CPU and
throughput with ``--concurrency`` callers. Bounded: a fixed count of requests per case, and
a time limit on each.

    python benchmarks/bench_budget_store.py [--requests 2000] [--concurrency 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

from bench_requests import start_simulator

from binance_async import MemoryBudgetStore, UMFutures
from binance_async.budget import BudgetStore
from binance_async.redis import RedisBudgetStore

CASE_TIME_LIMIT_S = 120
CASES = ("no store", "MemoryBudgetStore", "RedisBudgetStore")


@contextmanager
def redis_server(url: str | None) -> Iterator[str]:
    """A redis-server of our own on a free loopback port (or ``url``, left alone)."""
    if url is not None:
        yield url
        return
    executable = shutil.which("redis-server")
    if executable is None:
        sys.exit("redis-server not found: apt-get install redis-server, or pass --redis-url")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as workdir:
        args = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir]
        proc = subprocess.Popen([executable, *args], stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    time.sleep(0.02)
            else:
                raise RuntimeError("redis-server did not start")
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(10)


@asynccontextmanager
async def store_for(case: str, redis_url: str) -> AsyncIterator[BudgetStore | None]:
    """The store a case uses (a fresh namespace each time)."""
    if case == "no store":
        yield None
    elif case == "MemoryBudgetStore":
        yield MemoryBudgetStore()
    else:
        namespace = f"bench-{secrets.token_hex(4)}"
        async with RedisBudgetStore(redis_url, namespace=namespace) as store:
            yield store


Figures = tuple[float, float, float, float]


async def measure(
    call: Callable[[], Awaitable[object]], requests: int, concurrency: int
) -> Figures:
    """CPU us/request and requests/s with ``concurrency`` callers, then p50 and p99 latency
    (ms) of ``requests // 4`` calls one at a time."""
    left = iter(range(requests))

    async def worker() -> None:
        for _ in left:
            await call()

    cpu0, wall0 = time.process_time(), time.perf_counter()
    async with asyncio.timeout(CASE_TIME_LIMIT_S):
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    latencies = []
    async with asyncio.timeout(CASE_TIME_LIMIT_S):
        for _ in range(requests // 4):
            started = time.perf_counter()
            await call()
            latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, round(len(latencies) * 0.99))]
    return cpu / requests * 1e6, requests / wall, statistics.median(latencies), p99


async def bench(
    base: str, api_key: str, secret: str, redis_url: str, args: argparse.Namespace
) -> dict[str, Figures]:
    """Medians over the rounds of each case's (CPU us/req, req/s, p50 ms, p99 ms)."""
    requests, concurrency, rounds = args.requests, args.concurrency, args.rounds
    runs: dict[str, list[Figures]] = {case: [] for case in CASES}
    for _ in range(rounds):
        for case in CASES:
            async with (
                store_for(case, redis_url) as store,
                UMFutures(api_key, secret, base_url=base, budget_store=store) as client,
            ):
                await client.exchange_info()
                await measure(client.ping, 200, concurrency)  # warm-up
                runs[case].append(await measure(client.ping, requests, concurrency))
    medians = {}
    for case, results in runs.items():
        cpu, rate, p50, p99 = (statistics.median(r[i] for r in results) for i in range(4))
        medians[case] = (cpu, rate, p50, p99)
    return medians


def report(medians: dict[str, Figures], args: argparse.Namespace) -> None:
    """Print the table and the ratios."""
    print(
        f"GET /fapi/v1/ping, {args.requests} requests per case, concurrency {args.concurrency} "
        f"(latency: one caller), median of {args.rounds} rounds"
    )
    print(f"{'case':20} {'CPU us/req':>11} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for case, (cpu, rate, p50, p99) in medians.items():
        print(f"{case:20} {cpu:11.1f} {rate:8.0f} {p50:8.3f} {p99:8.3f}")
    none, memory, redis = (medians[case] for case in CASES)
    print(
        f"CPU ratio  memory/none {memory[0] / none[0]:.2f}x  redis/none {redis[0] / none[0]:.2f}x"
        f"  redis/memory {redis[0] / memory[0]:.2f}x"
    )
    print(
        f"p50 ratio  memory/none {memory[2] / none[2]:.2f}x  redis/none {redis[2] / none[2]:.2f}x"
        f"  redis/memory {redis[2] / memory[2]:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis-url", default=None, help="use this Redis instead of starting one")
    args = parser.parse_args()
    api_key, secret = secrets.token_hex(32), secrets.token_hex(32)
    proc, base = start_simulator(api_key, secret)
    try:
        with redis_server(args.redis_url) as url:
            medians = asyncio.run(bench(base, api_key, secret, url, args))
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)
    report(medians, args)
    print(f"python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
